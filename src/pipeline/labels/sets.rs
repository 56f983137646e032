//! The label sets as data (name, action, fit score, gate), and which set
//! the features call for.

use super::*;

/// One label of a set: its name, the built-in action, how well a segment
/// fits it and whether it can describe the segment at all.
pub struct LabelDef {
    pub name: &'static str,
    pub action: &'static str,
    pub score: fn(&Signals) -> f64,
    pub gate: fn(&Signals) -> bool,
}

pub const BANK_LABELS: [LabelDef; 5] = [
    LabelDef {
        name: "High-Value Customers (VIP)",
        action: "Assign a dedicated relationship manager; offer wealth-management, private-banking and premium card products.",
        score: |s| s.value() + 0.5 * s.get(names::PRODUCT_DEPTH),
        gate: |s| s.value() > 0.0,
    },
    LabelDef {
        name: "Potential Customers",
        action: "Cross-sell a credit card or personal loan and a regular savings plan; nurture with digital onboarding offers.",
        score: |s| {
            let act = (s.get(names::FREQUENCY) - s.get(names::RECENCY)) / 2.0;
            -0.5 * s.get(names::AGE) - 0.5 * s.get(names::TENURE) + act / 3.0 - s.value() / 3.0
        },
        gate: |s| s.get(names::AGE) < 0.0 || s.get(names::TENURE) < 0.0,
    },
    LabelDef {
        name: "Stable Customers",
        action: "Reward loyalty: term deposits, loyalty points and bundled fee waivers to keep balances in.",
        score: |s| {
            let act = (s.get(names::FREQUENCY) - s.get(names::RECENCY)) / 2.0;
            s.get(names::TENURE) + 0.5 * s.get(names::PRODUCT_DEPTH) - 0.5 * act.abs()
        },
        gate: |s| s.get(names::TENURE) > 0.0,
    },
    LabelDef {
        name: "Active Transaction Customers",
        action: "Offer transaction-fee packages, mobile-banking and payment upsells; promote cards with cash-back on spend.",
        score: |s| {
            s.get(names::FREQUENCY) + 0.5 * s.get(names::MONETARY) - 0.5 * s.get(names::RECENCY)
        },
        gate: |s| s.get(names::FREQUENCY) > 0.0 || s.get(names::RECENCY) < 0.0,
    },
    LabelDef {
        name: "Dormant / Churn-Warning Customers",
        action: "Run a win-back and retention campaign: reactivation offers, a service call, and fee reviews before they leave.",
        score: |s| s.get(names::RECENCY) - s.get(names::FREQUENCY) - 0.5 * s.value(),
        gate: |s| s.lapsing() && s.not_new(),
    },
];

pub const RFM_LABELS: [LabelDef; 7] = [
    LabelDef {
        name: "Champions",
        action: "Reward them: early access to new products, VIP service and referral rewards; they need no discounts.",
        score: |s| -s.get(names::RECENCY) + s.get(names::FREQUENCY) + s.get(names::MONETARY),
        gate: |s| s.champion(),
    },
    LabelDef {
        name: "Loyal",
        action: "Upsell higher-value products and bundles; invite them to the loyalty programme and ask for reviews.",
        score: |s| {
            s.get(names::FREQUENCY) + 0.5 * s.get(names::MONETARY)
                - 0.5 * s.get(names::RECENCY).max(0.0)
        },
        gate: |s| s.get(names::FREQUENCY) > 0.0 && !s.lapsing_strongly(),
    },
    LabelDef {
        name: "Potential Loyalists",
        action: "Recent buyers: offer membership and personalised recommendations to turn a few purchases into a habit.",
        score: |s| -s.get(names::RECENCY) - 0.5 * s.get(names::FREQUENCY).abs(),
        gate: |s| s.get(names::RECENCY) < 0.0,
    },
    LabelDef {
        name: "New Customers",
        action: "Onboard them: a welcome series, help with the first steps and an incentive for the second purchase.",
        score: |s| -s.get(names::RECENCY) - s.get(names::FREQUENCY) - 0.5 * s.get(names::TENURE),
        gate: |s| s.get(names::RECENCY) < 0.0 && s.get(names::FREQUENCY) < 0.0,
    },
    LabelDef {
        name: "At Risk",
        action: "They used to buy often or much: reach out personally with offers based on their past purchases before they lapse.",
        score: |s| {
            s.get(names::RECENCY) + 0.5 * s.get(names::FREQUENCY) + 0.5 * s.get(names::MONETARY)
        },
        gate: |s| {
            s.lapsing() && s.not_new() && s.get(names::FREQUENCY) + s.get(names::MONETARY) > 0.0
        },
    },
    LabelDef {
        name: "Hibernating",
        action: "Re-engage at low cost: reminders of popular products and a time-limited offer; keep spend per customer small.",
        score: |s| {
            0.5 * s.get(names::RECENCY)
                - 0.5 * s.get(names::FREQUENCY)
                - 0.5 * s.get(names::MONETARY)
        },
        gate: |s| s.lapsing() && s.not_new(),
    },
    LabelDef {
        name: "Lost",
        action: "One low-cost win-back attempt; if it fails, leave them out of regular campaigns.",
        score: |s| s.get(names::RECENCY) - s.get(names::FREQUENCY) - s.get(names::MONETARY),
        gate: |s| s.lapsing() && s.not_new(),
    },
];

pub const CARD_LABELS: [LabelDef; 5] = [
    LabelDef {
        name: "Transactors",
        action: "They spend and pay in full: reward spend with cash-back or points and offer a premium card; interest offers will not land.",
        score: |s| {
            s.concept(Concept::Purchases) + s.concept(Concept::FullPayment)
                - 0.5 * s.concept(Concept::CashAdvance)
                - 0.5 * s.concept(Concept::Balance)
        },
        gate: |s| s.concept(Concept::Purchases) > 0.0,
    },
    LabelDef {
        name: "Revolvers",
        action: "They carry a balance: offer a balance-transfer or lower-rate plan and watch the credit risk; promote autopay.",
        score: |s| {
            s.concept(Concept::Balance)
                - s.concept(Concept::FullPayment)
                - 0.5 * s.concept(Concept::CashAdvance)
        },
        gate: |s| s.concept(Concept::Balance) > 0.0,
    },
    LabelDef {
        name: "Cash-Advance Users",
        action: "They draw cash on the card: offer a personal loan or credit line at a lower cost than cash advances, and review their risk.",
        score: |s| s.concept(Concept::CashAdvance) + 0.5 * s.concept(Concept::Balance),
        gate: |s| s.concept(Concept::CashAdvance) > 0.0,
    },
    LabelDef {
        name: "Instalment Buyers",
        action: "They buy in instalments: promote 0% instalment plans with partner merchants and pre-approved limits for big purchases.",
        score: |s| s.concept(Concept::Instalments) - 0.5 * s.concept(Concept::CashAdvance),
        gate: |s| s.concept(Concept::Instalments) > 0.0,
    },
    LabelDef {
        name: "Inactive Cardholders",
        action: "They barely use the card: an activation offer (spend-and-get bonus); close or downgrade cards that stay unused to cut cost and risk.",
        score: |s| -s.concept(Concept::Purchases) - s.concept(Concept::CashAdvance),
        gate: |s| s.concept(Concept::Purchases) < 0.0 && s.concept(Concept::CashAdvance) <= 0.0,
    },
];

pub(super) fn has(features: &[String], wanted: &str) -> bool {
    features.iter().any(|n| n == wanted)
}

/// The label set for these features, and why (see the module docs).
pub fn resolve_scheme(scheme: LabelScheme, features: &[String]) -> (LabelScheme, String) {
    if scheme != LabelScheme::Auto {
        return (scheme, format!("set by the user ({})", scheme.name()));
    }
    let rfm = [names::RECENCY, names::FREQUENCY, names::MONETARY];
    let rfm_only = features.iter().all(|f| rfm.contains(&f.as_str()));
    let value = has(features, names::BALANCE) || has(features, names::MONETARY);
    let activity = has(features, names::FREQUENCY) || has(features, names::RECENCY);
    let card: Vec<Concept> = [
        Concept::CashAdvance,
        Concept::CreditLimit,
        Concept::Payments,
        Concept::Purchases,
    ]
    .into_iter()
    .filter(|c| {
        features.iter().any(|f| {
            let got = concept_of(f);
            got == Some(*c) || (*c == Concept::Purchases && got == Some(Concept::Instalments))
        })
    })
    .collect();
    if rfm_only && has(features, names::RECENCY) && features.len() >= 2 {
        (
            LabelScheme::Rfm,
            "the features are Recency, Frequency and Monetary only: RFM labels".into(),
        )
    } else if value && activity {
        (
            LabelScheme::Bank,
            "bank template features (a value and an activity feature): bank labels".into(),
        )
    } else if card.len() >= 3 {
        (
            LabelScheme::Card,
            "credit-card usage columns (purchases, cash advance, credit limit, payments): card labels"
                .into(),
        )
    } else {
        (
            LabelScheme::Descriptive,
            "no label set fits these features: segments are named after their traits".into(),
        )
    }
}

/// The label set of a scheme (empty for descriptive names).
pub fn label_set(scheme: LabelScheme) -> &'static [LabelDef] {
    match scheme {
        LabelScheme::Bank | LabelScheme::Auto => &BANK_LABELS,
        LabelScheme::Rfm => &RFM_LABELS,
        LabelScheme::Card => &CARD_LABELS,
        LabelScheme::Descriptive => &[],
    }
}
