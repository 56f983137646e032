//! Calendar arithmetic as PMML functions, for Tenure (completed months) and
//! Age (completed years) measured against the as-of date.
//!
//! PMML's date built-ins give days since a year (`dateDaysSinceYear`) but no
//! year, month or day of a date. The document therefore defines
//! `civil(days since 1970-01-01)` = `y·10000 + m·100 + d`, Howard Hinnant's
//! `civil_from_days` (the algorithm custseg uses, [`crate::pipeline::clean::civil_from_days`])
//! with `floor` for integer division; every value is a whole number below
//! 2^31, so the doubles are exact. A chain of functions passes each
//! intermediate value on as a parameter (PMML has no local variables).

use super::expr::{apply, bin, constant, floor_div, if_else};
use super::xml::Node;
use crate::pipeline::clean::{IsoDate, civil_from_days};

/// `y·10000 + m·100 + d` of a date.
pub fn ymd_number(d: IsoDate) -> f64 {
    let (y, m, dd) = civil_from_days(d.0);
    f64::from(y) * 10000.0 + f64::from(m) * 100.0 + f64::from(dd)
}

/// The names of the document's own functions.
pub struct DateFunctions {
    prefix: String,
}

impl DateFunctions {
    pub fn new(prefix: &str) -> DateFunctions {
        DateFunctions {
            prefix: prefix.to_string(),
        }
    }

    fn name(&self, f: &str) -> String {
        format!("{}{f}", self.prefix)
    }

    /// `civil(days)`: the date's `y·10000 + m·100 + d`.
    pub fn civil(&self, days: Node) -> Node {
        apply(&self.name("civil"), [days])
    }

    /// Completed calendar months from date `x` to date `a` (both `civil` numbers).
    pub fn months_since(&self, x: Node, a: Node) -> Node {
        apply(&self.name("months_since"), [x, a])
    }

    /// Completed years from date `x` to date `a` (both `civil` numbers).
    pub fn years_since(&self, x: Node, a: Node) -> Node {
        apply(&self.name("years_since"), [x, a])
    }

    fn call(&self, f: &str, args: impl IntoIterator<Item = Node>) -> Node {
        apply(&self.name(f), args)
    }

    /// Every `DefineFunction` the calls above need.
    pub fn definitions(&self) -> Vec<Node> {
        let p = |n: &str| super::expr::field(n);
        let c = constant;
        vec![
            self.define(
                "civil",
                &["days"],
                self.call("civil_z", [bin("+", p("days"), c(719_468.0))]),
            ),
            self.define(
                "civil_z",
                &["z"],
                self.call("civil_era", [p("z"), floor_div(p("z"), 146_097.0)]),
            ),
            self.define(
                "civil_era",
                &["z", "era"],
                self.call(
                    "civil_doe",
                    [p("era"), bin("-", p("z"), bin("*", p("era"), c(146_097.0)))],
                ),
            ),
            self.define("civil_doe", &["era", "doe"], self.year_of_era()),
            self.define("civil_yoe", &["era", "doe", "yoe"], self.day_of_year()),
            self.define(
                "civil_doy",
                &["y", "doy"],
                self.call(
                    "civil_mp",
                    [
                        p("y"),
                        p("doy"),
                        floor_div(bin("+", bin("*", c(5.0), p("doy")), c(2.0)), 153.0),
                    ],
                ),
            ),
            self.define("civil_mp", &["y", "doy", "mp"], Self::ymd_from_march()),
            self.define("year", &["x"], floor_div(p("x"), 10000.0)),
            self.define(
                "month_day",
                &["x"],
                bin(
                    "-",
                    p("x"),
                    bin("*", self.call("year", [p("x")]), c(10000.0)),
                ),
            ),
            self.define(
                "month",
                &["x"],
                floor_div(self.call("month_day", [p("x")]), 100.0),
            ),
            self.define(
                "day",
                &["x"],
                bin(
                    "-",
                    self.call("month_day", [p("x")]),
                    bin("*", self.call("month", [p("x")]), c(100.0)),
                ),
            ),
            self.define("months_since", &["x", "a"], self.months_body()),
            self.define("years_since", &["x", "a"], self.years_body()),
        ]
    }

    /// `yoe = floor((doe - floor(doe/1460) + floor(doe/36524) - floor(doe/146096)) / 365)`.
    fn year_of_era(&self) -> Node {
        let doe = || super::expr::field("doe");
        let inner = bin(
            "-",
            bin(
                "+",
                bin("-", doe(), floor_div(doe(), 1460.0)),
                floor_div(doe(), 36524.0),
            ),
            floor_div(doe(), 146_096.0),
        );
        self.call(
            "civil_yoe",
            [super::expr::field("era"), doe(), floor_div(inner, 365.0)],
        )
    }

    /// `y = yoe + era·400`, `doy = doe - (365·yoe + floor(yoe/4) - floor(yoe/100))`.
    fn day_of_year(&self) -> Node {
        let f = super::expr::field;
        let y = bin("+", f("yoe"), bin("*", f("era"), constant(400.0)));
        let days_before = bin(
            "-",
            bin(
                "+",
                bin("*", constant(365.0), f("yoe")),
                floor_div(f("yoe"), 4.0),
            ),
            floor_div(f("yoe"), 100.0),
        );
        self.call("civil_doy", [y, bin("-", f("doe"), days_before)])
    }

    /// From the year counted from March, the day of that year and the
    /// month counted from March: `y·10000 + m·100 + d`.
    fn ymd_from_march() -> Node {
        let f = super::expr::field;
        let c = constant;
        let march_based = || bin("greaterOrEqual", f("mp"), c(10.0));
        let year = bin("+", f("y"), if_else(march_based(), c(1.0), c(0.0)));
        let month = if_else(
            march_based(),
            bin("-", f("mp"), c(9.0)),
            bin("+", f("mp"), c(3.0)),
        );
        let day = bin(
            "+",
            bin(
                "-",
                f("doy"),
                floor_div(bin("+", bin("*", c(153.0), f("mp")), c(2.0)), 5.0),
            ),
            c(1.0),
        );
        bin(
            "+",
            bin("+", bin("*", year, c(10000.0)), bin("*", month, c(100.0))),
            day,
        )
    }

    /// `(year(a) - year(x))·12 + (month(a) - month(x)) - [day(x) > day(a)]`.
    fn months_body(&self) -> Node {
        let f = super::expr::field;
        let of = |g: &str, v: &str| self.call(g, [f(v)]);
        let years = bin("-", of("year", "a"), of("year", "x"));
        let months = bin("-", of("month", "a"), of("month", "x"));
        let short = if_else(
            bin("greaterThan", of("day", "x"), of("day", "a")),
            constant(1.0),
            constant(0.0),
        );
        bin(
            "-",
            bin("+", bin("*", years, constant(12.0)), months),
            short,
        )
    }

    /// `year(a) - year(x) - [month_day(x) > month_day(a)]`.
    fn years_body(&self) -> Node {
        let f = super::expr::field;
        let of = |g: &str, v: &str| self.call(g, [f(v)]);
        let short = if_else(
            bin("greaterThan", of("month_day", "x"), of("month_day", "a")),
            constant(1.0),
            constant(0.0),
        );
        bin("-", bin("-", of("year", "a"), of("year", "x")), short)
    }

    fn define(&self, f: &str, params: &[&str], body: Node) -> Node {
        Node::new("DefineFunction")
            .attr("name", self.name(f))
            .attr("optype", "continuous")
            .attr("dataType", "double")
            .children(params.iter().map(|p| {
                Node::new("ParameterField")
                    .attr("name", *p)
                    .attr("optype", "continuous")
                    .attr("dataType", "double")
            }))
            .child(body)
    }
}
