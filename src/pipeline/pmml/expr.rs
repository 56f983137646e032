//! PMML expressions as element trees: constants, field references and
//! `Apply` of built-in (or the document's own) functions.

use super::xml::Node;

/// A double written with round-trip digits: the reader's correctly rounded
/// parser gets the same bits back.
pub fn num(x: f64) -> String {
    format!("{x:?}")
}

pub fn constant(x: f64) -> Node {
    Node::new("Constant")
        .attr("dataType", "double")
        .text(num(x))
}

pub fn integer(x: i64) -> Node {
    Node::new("Constant")
        .attr("dataType", "integer")
        .text(x.to_string())
}

pub fn string(s: &str) -> Node {
    Node::new("Constant").attr("dataType", "string").text(s)
}

pub fn field(name: &str) -> Node {
    Node::new("FieldRef").attr("field", name)
}

pub fn apply(function: &str, args: impl IntoIterator<Item = Node>) -> Node {
    Node::new("Apply").attr("function", function).children(args)
}

/// `then` when `cond` holds, else `otherwise`.
pub fn if_else(cond: Node, then: Node, otherwise: Node) -> Node {
    apply("if", [cond, then, otherwise])
}

/// `then` when `cond` holds, else missing (PMML's two-argument `if`).
pub fn if_only(cond: Node, then: Node) -> Node {
    apply("if", [cond, then])
}

pub fn bin(function: &str, a: Node, b: Node) -> Node {
    apply(function, [a, b])
}

/// `floor(a / b)`.
pub fn floor_div(a: Node, b: f64) -> Node {
    apply("floor", [bin("/", a, constant(b))])
}

/// A `DerivedField` of doubles.
pub fn derived_double(name: &str, expr: Node) -> Node {
    Node::new("DerivedField")
        .attr("name", name)
        .attr("optype", "continuous")
        .attr("dataType", "double")
        .child(expr)
}

/// A `DerivedField` of text.
pub fn derived_string(name: &str, expr: Node) -> Node {
    Node::new("DerivedField")
        .attr("name", name)
        .attr("optype", "categorical")
        .attr("dataType", "string")
        .child(expr)
}
