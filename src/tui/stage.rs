//! The seven stages of the flow, and how the header shows each.

/// The seven pipeline stages, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    Load,
    Map,
    Clean,
    Features,
    Cluster,
    Inspect,
    Export,
}

impl Stage {
    pub const ALL: [Stage; 7] = [
        Stage::Load,
        Stage::Map,
        Stage::Clean,
        Stage::Features,
        Stage::Cluster,
        Stage::Inspect,
        Stage::Export,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Stage::Load => "Load",
            Stage::Map => "Map columns",
            Stage::Clean => "Clean",
            Stage::Features => "Features",
            Stage::Cluster => "Cluster",
            Stage::Inspect => "Inspect",
            Stage::Export => "Export",
        }
    }

    /// For narrow terminals.
    pub fn short_title(self) -> &'static str {
        match self {
            Stage::Load => "Load",
            Stage::Map => "Map",
            Stage::Clean => "Clean",
            Stage::Features => "Feat",
            Stage::Cluster => "Clust",
            Stage::Inspect => "Insp",
            Stage::Export => "Exp",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn next(self) -> Option<Stage> {
        Stage::ALL.get(self.index() + 1).copied()
    }

    pub fn prev(self) -> Option<Stage> {
        self.index().checked_sub(1).map(|i| Stage::ALL[i])
    }
}

/// How the header shows a stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StageStatus {
    Done,
    Current,
    NotYet,
    /// It had a result, but something before it changed: it runs again
    /// when you get there.
    Stale,
}
