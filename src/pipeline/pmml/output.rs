//! The clustering itself and what it returns: the centres (one `Cluster`
//! per segment, in segment order, so that a tie goes to the first — the
//! lowest segment number, custseg's rule; JPMML keeps the first of equal
//! distances), and the `Output` fields segment, label, action, affinity
//! and distance.

use super::expr::{apply, field, num};
use super::xml::Node;
use crate::pipeline::model::Model;

/// The names of the output fields (custseg's, unless an input column
/// already has one: then `custseg_` is put in front).
#[derive(Clone, Debug, PartialEq)]
pub struct OutputNames {
    pub segment: String,
    pub label: String,
    pub action: String,
    pub affinity: String,
    pub distance: String,
}

impl OutputNames {
    pub fn avoiding(taken: &dyn Fn(&str) -> bool) -> OutputNames {
        let pick = |base: &str| {
            let mut n = base.to_string();
            while taken(&n) {
                n.insert_str(0, "custseg_");
            }
            n
        };
        OutputNames {
            segment: pick("segment"),
            label: pick("label"),
            action: pick("action"),
            affinity: pick("affinity"),
            distance: pick("distance"),
        }
    }
}

/// `ComparisonMeasure`, one `ClusteringField` per feature (its z-score
/// field), one `Cluster` per segment.
pub fn clustering(model: &Model, z_fields: &[String]) -> Vec<Node> {
    let d = z_fields.len();
    let mut nodes = vec![
        Node::new("ComparisonMeasure")
            .attr("kind", "distance")
            .attr("compareFunction", "absDiff")
            .child(Node::new("squaredEuclidean")),
    ];
    nodes.extend(z_fields.iter().map(|f| {
        Node::new("ClusteringField")
            .attr("field", f)
            .attr("compareFunction", "absDiff")
    }));
    nodes.extend(model.segments.iter().enumerate().map(|(c, s)| {
        let centre: Vec<String> = model.centres[c * d..(c + 1) * d]
            .iter()
            .map(|&x| num(x))
            .collect();
        Node::new("Cluster")
            .attr("id", c.to_string())
            .attr("name", &s.label)
            .attr("size", s.size.to_string())
            .child(
                Node::new("Array")
                    .attr("n", d.to_string())
                    .attr("type", "real")
                    .text(centre.join(" ")),
            )
    }));
    nodes
}

/// The `Output`: the segment number (the winning cluster's id), its label,
/// its action (looked up from the segment), the squared Euclidean distance
/// to its centre in the scaled feature space, and that distance.
pub fn output(model: &Model, names: &OutputNames) -> Node {
    let out = |name: &str, optype: &str, data_type: &str, feature: &str| {
        Node::new("OutputField")
            .attr("name", name)
            .attr("optype", optype)
            .attr("dataType", data_type)
            .attr("feature", feature)
    };
    let rows = model.segments.iter().enumerate().map(|(c, s)| {
        Node::new("row")
            .child(Node::new("segment").text(c.to_string()))
            .child(Node::new("action").text(&s.action))
    });
    let actions = Node::new("MapValues")
        .attr("outputColumn", "action")
        .attr("dataType", "string")
        .child(
            Node::new("FieldColumnPair")
                .attr("field", &names.segment)
                .attr("column", "segment"),
        )
        .child(Node::new("InlineTable").children(rows));
    Node::new("Output")
        .child(out(
            &names.segment,
            "categorical",
            "integer",
            "predictedValue",
        ))
        .child(out(
            &names.label,
            "categorical",
            "string",
            "predictedDisplayValue",
        ))
        .child(out(&names.action, "categorical", "string", "transformedValue").child(actions))
        .child(out(
            &names.affinity,
            "continuous",
            "double",
            "entityAffinity",
        ))
        .child(
            out(&names.distance, "continuous", "double", "transformedValue")
                .child(apply("sqrt", [field(&names.affinity)])),
        )
}
