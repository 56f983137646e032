//! Descriptive names and actions from a segment's strongest traits, for
//! segments no label fits.

use super::*;

/// The two strongest traits of a segment, strongest first.
pub(super) fn top_traits(stats: &[FeatureStat]) -> Vec<&FeatureStat> {
    let mut v: Vec<&FeatureStat> = stats
        .iter()
        .filter(|f| f.direction != Direction::Typical)
        .collect();
    v.sort_by(|a, b| b.signal.abs().total_cmp(&a.signal.abs()));
    v.truncate(2);
    v
}

/// "High cash advance, Low prc full payment", from the raw comparisons.
pub fn descriptive_name(stats: &[FeatureStat]) -> String {
    let parts: Vec<String> = top_traits(stats).iter().map(|f| trait_words(f)).collect();
    if parts.is_empty() {
        "Average profile".to_string()
    } else {
        parts.join(", ")
    }
}

/// A trait in words: "High cash advance"; for a 0/1 feature its share:
/// "Mostly job retired", "More HasCrCard", "Few contact unknown".
pub(super) fn trait_words(f: &FeatureStat) -> String {
    let high = f.direction == Direction::High;
    if f.binary {
        let what = humanise(&f.feature.replacen('=', " ", 1));
        let lead = match (high, f.mean >= 0.5) {
            (true, true) => "Mostly",
            (true, false) => "More",
            (false, _) => "Few",
        };
        return format!("{lead} {what}");
    }
    format!(
        "{} {}",
        if high { "High" } else { "Low" },
        humanise(&f.feature)
    )
}

/// "CASH_ADVANCE" -> "cash advance"; mixed-case names stay as written.
/// At most 48 characters: a label goes into every scored row and must fit
/// the saved model's bound on labels (`model_check::MAX_LABEL_CHARS`).
pub(super) fn humanise(name: &str) -> String {
    let name: String = match name.char_indices().nth(48) {
        Some((cut, _)) => format!("{}…", &name[..cut]),
        None => name.to_string(),
    };
    let spaced: String = name.replace(['_', '-'], " ");
    if spaced.chars().any(|c| c.is_lowercase()) || !spaced.is_ascii() {
        spaced
    } else {
        spaced.to_lowercase()
    }
}

/// An action for a segment named after its traits: what each of its two
/// strongest traits suggests.
pub fn descriptive_action(stats: &[FeatureStat]) -> String {
    let traits = top_traits(stats);
    if traits.is_empty() {
        return "Typical customers with no stand-out trait: keep them in the regular programme and watch for movement into other segments.".into();
    }
    let ideas: Vec<String> = traits.iter().map(|f| trait_idea(f)).collect();
    let what: Vec<String> = traits
        .iter()
        .map(|f| trait_words(f).to_lowercase())
        .collect();
    format!(
        "Set apart by {}: {}. Try it on a sample with a control group before a full rollout.",
        what.join(" and "),
        ideas.join("; ")
    )
}

pub(super) fn trait_idea(f: &FeatureStat) -> String {
    let n = normalise(&f.feature);
    let high = f.direction == Direction::High;
    let any = |words: &[&str]| words.iter().any(|w| n.contains(w));
    let pick = |h: &'static str, l: &'static str| if high { h } else { l };
    if f.binary {
        let what = humanise(&f.feature.replacen('=', " ", 1));
        return if high {
            format!("shape the offer for the many with {what}")
        } else {
            format!("few have {what}: leave offers built on it out")
        };
    }
    let idea = if any(&["cashadvance"]) {
        pick(
            "offer a cheaper credit line or instalment plan instead of cash advances",
            "no cash-advance needs: keep credit offers to purchases",
        )
    } else if any(&["recency", "dayssince", "lastvisit", "inactive"]) {
        pick(
            "re-engage them before they lapse (reminders, a win-back offer)",
            "they are active now: follow up while they are engaged",
        )
    } else if crate::pipeline::hygiene::tokens(&f.feature)
        .iter()
        .any(|t| t == "age")
        || any(&["年龄"])
    {
        pick(
            "offer retirement, pension and wealth-preservation products",
            "offer digital-first starter products (a first card, a savings plan)",
        )
    } else if any(&["creditscore", "fico", "creditrating", "信用"]) {
        pick(
            "offer pre-approved credit at better rates",
            "offer credit-builder products and review the risk before lending",
        )
    } else if any(&["tenure", "since", "vintage", "months"]) {
        pick(
            "thank long-standing customers (loyalty rewards, service priority)",
            "onboard them well (welcome journey, first-product offers)",
        )
    } else if any(&["freq", "count", "trx", "txn", "visits", "transactions"]) {
        pick(
            "reward their frequent use (points, fee waivers)",
            "encourage more frequent use with reminders and incentives",
        )
    } else if any(&["product", "holding"]) {
        pick(
            "keep their product bundle competitive",
            "cross-sell a second product",
        )
    } else if any(&[
        "balance", "amount", "spend", "purchase", "payment", "monetary", "income", "salary",
        "wage", "limit", "deposit", "value", "金额", "余额", "收入",
    ]) {
        pick(
            "protect and grow these high-value relationships (priority service, premium offers)",
            "grow value with entry-level products and usage incentives",
        )
    } else {
        return format!(
            "find out what their {} {} means for them before choosing an offer",
            f.direction.word(),
            humanise(&f.feature)
        );
    };
    idea.to_string()
}
