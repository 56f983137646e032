//! Key presses -> [`Action`]s. The only place that knows about key codes.
//!
//! What a key means depends on the [`KeyContext`]: an open overlay takes
//! the keys first; a focused text field takes printable characters (so `q`
//! and `?` type into a path, and F1 / F2 / Esc / Ctrl-C still work there).

use super::action::{Action, Command, Move};
use super::stage::Stage;
use crate::pipeline::mapping::ColumnUse;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// Which overlay is open, as far as keys are concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OverlayKind {
    Help,
    Error,
    ConfirmQuit,
    /// A list to pick from (Map: role list).
    Picker,
    /// A one-line text field in a box (as-of date, label, customer id...).
    Input,
    /// A yes/no question other than quitting (overwrite a folder?).
    Confirm,
}

/// What the keymap needs to know about the app.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyContext {
    pub stage: Stage,
    pub overlay: Option<OverlayKind>,
    /// A text field has the focus: printable keys are text.
    pub text_input: bool,
}

/// Where a binding acts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// On every screen (no text field or overlay has the focus).
    Everywhere,
    /// Only on these screens.
    On(&'static [Stage]),
}

impl Scope {
    pub fn covers(self, stage: Stage) -> bool {
        match self {
            Scope::Everywhere => true,
            Scope::On(stages) => stages.contains(&stage),
        }
    }
}

/// What a key press becomes (a `Copy` form of the [`Action`]s keys make).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    Move(Move),
    JumpTo(Stage),
    Confirm,
    Back,
    NextPane,
    PrevPane,
    Toggle,
    Quit,
    Help,
    SetUse(ColumnUse),
    Command(Command),
}

impl Bound {
    fn action(self) -> Action {
        match self {
            Bound::Move(m) => Action::Move(m),
            Bound::JumpTo(s) => Action::JumpTo(s),
            Bound::Confirm => Action::Confirm,
            Bound::Back => Action::Back,
            Bound::NextPane => Action::NextPane,
            Bound::PrevPane => Action::PrevPane,
            Bound::Toggle => Action::Toggle,
            Bound::Quit => Action::Quit,
            Bound::Help => Action::Help,
            Bound::SetUse(u) => Action::SetUse(u),
            Bound::Command(c) => Action::Command(c),
        }
    }
}

/// One row of the key table: the keys as help shows them, where they act,
/// what they do, and the presses they stand for. Rows without presses
/// explain what a key bound by another row means on one screen (Enter on
/// Clean goes on to Features); the help overlay and the README both render
/// this table, and `map_key` reads its presses, so they cannot disagree.
#[derive(Clone, Copy, Debug)]
pub struct Binding {
    pub keys: &'static str,
    pub scope: Scope,
    pub meaning: &'static str,
    pub presses: &'static [(KeyCode, Bound)],
}

const fn row(
    keys: &'static str,
    scope: Scope,
    meaning: &'static str,
    presses: &'static [(KeyCode, Bound)],
) -> Binding {
    Binding {
        keys,
        scope,
        meaning,
        presses,
    }
}

const ALL: Scope = Scope::Everywhere;
const LOAD: Scope = Scope::On(&[Stage::Load]);
const MAP: Scope = Scope::On(&[Stage::Map]);
const CLEAN: Scope = Scope::On(&[Stage::Clean]);
const FEATURES: Scope = Scope::On(&[Stage::Features]);
const CLUSTER: Scope = Scope::On(&[Stage::Cluster]);
const INSPECT: Scope = Scope::On(&[Stage::Inspect]);
const EXPORT: Scope = Scope::On(&[Stage::Export]);
const LOAD_INSPECT: Scope = Scope::On(&[Stage::Load, Stage::Inspect]);

use KeyCode::Char;

/// The key grammar: one meaning per key on every screen. Screen rows come
/// before the rows for everywhere, so a screen's own letter wins.
pub const BINDINGS: &[Binding] = &[
    // Load
    row(
        "Tab / S-Tab",
        LOAD,
        "panes: File, Files, Options, Preview",
        &[],
    ),
    row(
        "Enter",
        LOAD,
        "load the file; once loaded, go on to Map columns",
        &[],
    ),
    row("Esc", LOAD, "cancel loading; leave the path field", &[]),
    row(
        "File: → End",
        LOAD,
        "accept the completion shown after the cursor",
        &[],
    ),
    row(
        "File: ↓ Ctrl-U",
        LOAD,
        "go down to the file list / clear the path",
        &[],
    ),
    row(
        "Files: ↑↓ Enter",
        LOAD,
        "select; open a folder, load a file, follow a model.json",
        &[],
    ),
    row(
        "Files: ← → Bksp",
        LOAD,
        "parent folder / open the selected folder",
        &[(KeyCode::Backspace, Bound::Move(Move::Left))],
    ),
    row(
        "Options: ←→ Space",
        LOAD,
        "change the option (auto = detect); Enter reloads",
        &[],
    ),
    row(
        "e",
        LOAD,
        "edit the path (the File field)",
        &[(Char('e'), Bound::Command(Command::EditValue))],
    ),
    row("Preview: ↑↓←→", LOAD, "scroll rows and columns", &[]),
    row(
        "F2",
        LOAD,
        "the bundled sample (3,000 synthetic customers): written to the folder custseg runs in (never over a file), then loaded; in the path field too",
        &[(KeyCode::F(2), Bound::Command(Command::BundledSample))],
    ),
    // Map columns
    row("Enter", MAP, "go on to Clean", &[]),
    row("Esc", MAP, "back to Load (the mapping is kept)", &[]),
    row(
        "e",
        MAP,
        "choose the column's role from a list (or automatic)",
        &[(Char('e'), Bound::Command(Command::EditValue))],
    ),
    row(
        "Space",
        MAP,
        "include / leave out the column (leave out = ignore)",
        &[],
    ),
    row(
        "f",
        MAP,
        "use as a clustering feature",
        &[(Char('f'), Bound::SetUse(ColumnUse::Feature))],
    ),
    row(
        "p",
        MAP,
        "profile only: shown in segment profiles, not clustered",
        &[(Char('p'), Bound::SetUse(ColumnUse::Profile))],
    ),
    row("←→ h l", MAP, "cycle feature / profile only / ignore", &[]),
    row("Tab", MAP, "details pane (scroll with ↑↓)", &[]),
    // Clean
    row(
        "Enter",
        CLEAN,
        "go on to Features (when the clean is done)",
        &[],
    ),
    row(
        "Esc",
        CLEAN,
        "cancel the running clean; else back to Map columns",
        &[],
    ),
    row(
        "←→ h l",
        CLEAN,
        "max missing: drop columns above this share (5% steps)",
        &[],
    ),
    row(
        "Tab",
        CLEAN,
        "options: max missing, duplicate ids, constant columns",
        &[],
    ),
    row(
        "Options: ←→ Space",
        CLEAN,
        "change the selected option",
        &[],
    ),
    // Features
    row(
        "Enter",
        FEATURES,
        "go on to Cluster (when the features are built)",
        &[],
    ),
    row(
        "Esc",
        FEATURES,
        "cancel the running work; else back to Clean",
        &[],
    ),
    row(
        "Space",
        FEATURES,
        "include / leave out the feature (the row stays)",
        &[],
    ),
    row(
        "t",
        FEATURES,
        "transform: log <-> none (written as your setting)",
        &[(Char('t'), Bound::Command(Command::ToggleTransform))],
    ),
    row(
        "e",
        FEATURES,
        "edit the as-of date (recency, tenure and age count to it)",
        &[(Char('e'), Bound::Command(Command::EditValue))],
    ),
    // Cluster
    row(
        "Enter",
        CLUSTER,
        "go on to Inspect (runs the sweep first if out of date)",
        &[],
    ),
    row(
        "Esc",
        CLUSTER,
        "cancel the running sweep; else back to Features",
        &[],
    ),
    row(
        "←→ ↑↓",
        CLUSTER,
        "choose another K of the sweep: segments follow at once",
        &[],
    ),
    row(
        "r",
        CLUSTER,
        "run the sweep (again) with the options",
        &[(Char('r'), Bound::Command(Command::RunSweep))],
    ),
    row(
        "e",
        CLUSTER,
        "type K (or 'auto'), or the selected option's value",
        &[(Char('e'), Bound::Command(Command::EditValue))],
    ),
    row(
        "Del / Bksp",
        CLUSTER,
        "clear K: let the sweep choose it again (auto)",
        &[
            (KeyCode::Delete, Bound::Command(Command::AutoK)),
            (KeyCode::Backspace, Bound::Command(Command::AutoK)),
        ],
    ),
    row(
        "w",
        CLUSTER,
        "widen the K range (K to twice as far) and run the sweep",
        &[(Char('w'), Bound::Command(Command::WidenRange))],
    ),
    row(
        "v",
        CLUSTER,
        "the chart or the structure, when both do not fit",
        &[(Char('v'), Bound::Command(Command::SwapView))],
    ),
    row(
        "Tab",
        CLUSTER,
        "options: K from / to, K, restarts, seed",
        &[],
    ),
    row("Options: ←→", CLUSTER, "change the selected option", &[]),
    // Inspect
    row(
        "Enter",
        INSPECT,
        "open the segment; in a segment, go on to Export; comparing, compare with the selected one",
        &[],
    ),
    row("Esc", INSPECT, "close the view; else back to Cluster", &[]),
    row(
        "←→ h l",
        INSPECT,
        "the column in focus (the table scrolls to it, the bars show it); in a segment or comparing, the other segment",
        &[],
    ),
    row(
        "e",
        INSPECT,
        "rename the selected segment's label",
        &[(Char('e'), Bound::Command(Command::EditValue))],
    ),
    row(
        "a",
        INSPECT,
        "edit the selected segment's recommended action",
        &[(Char('a'), Bound::Command(Command::EditAction))],
    ),
    row(
        "s / S",
        INSPECT,
        "sort the segment table by the next column (marked ▲▼ in the header) / reverse the order",
        &[
            (Char('s'), Bound::Command(Command::SortNext)),
            (Char('S'), Bound::Command(Command::SortReverse)),
        ],
    ),
    row(
        "c",
        INSPECT,
        "compare: c on A, choose B, Enter; both profiles side by side",
        &[(Char('c'), Bound::Command(Command::Compare))],
    ),
    row(
        "o",
        INSPECT,
        "origin: where the segment's customers were in a previous run",
        &[(Char('o'), Bound::Command(Command::Origin))],
    ),
    row(
        "p",
        INSPECT,
        "2-D PCA scatter of the segments (a sample of customers)",
        &[(Char('p'), Bound::Command(Command::Scatter))],
    ),
    row(
        "/",
        LOAD_INSPECT,
        "search: filter the file list (Load); customers by id or part of one, several are listed (Inspect)",
        &[(Char('/'), Bound::Command(Command::Search))],
    ),
    // Export
    row(
        "Enter",
        EXPORT,
        "write; asks first if the folder already holds files",
        &[],
    ),
    row(
        "Esc",
        EXPORT,
        "cancel the writing; else back to Inspect",
        &[],
    ),
    row(
        "e",
        EXPORT,
        "edit the folder (relative to where custseg runs); Ctrl-U clears it, Enter writes, Esc stops editing",
        &[(Char('e'), Bound::Command(Command::EditValue))],
    ),
    row(
        "↑↓ Tab",
        EXPORT,
        "move between the folder and the files",
        &[],
    ),
    row(
        "Space ←→",
        EXPORT,
        "check / uncheck; on the scoring SQL row ←→ picks the engine",
        &[],
    ),
    // Everywhere
    row(
        "1-7",
        ALL,
        "jump to Load, Map, Clean, Features, Cluster, Inspect, Export (runs what it needs first; Esc cancels)",
        &[
            (Char('1'), Bound::JumpTo(Stage::Load)),
            (Char('2'), Bound::JumpTo(Stage::Map)),
            (Char('3'), Bound::JumpTo(Stage::Clean)),
            (Char('4'), Bound::JumpTo(Stage::Features)),
            (Char('5'), Bound::JumpTo(Stage::Cluster)),
            (Char('6'), Bound::JumpTo(Stage::Inspect)),
            (Char('7'), Bound::JumpTo(Stage::Export)),
        ],
    ),
    row(
        "Enter",
        ALL,
        "open / confirm the selected thing; else go on to the next stage",
        &[(KeyCode::Enter, Bound::Confirm)],
    ),
    row(
        "Esc",
        ALL,
        "back: close / cancel; on a screen, the previous stage",
        &[(KeyCode::Esc, Bound::Back)],
    ),
    row(
        "Tab / S-Tab",
        ALL,
        "next / previous pane",
        &[
            (KeyCode::Tab, Bound::NextPane),
            (KeyCode::BackTab, Bound::PrevPane),
        ],
    ),
    row(
        "↑↓←→ hjkl",
        ALL,
        "move (←→ scroll a wide table where nothing else moves sideways)",
        &[
            (KeyCode::Up, Bound::Move(Move::Up)),
            (KeyCode::Down, Bound::Move(Move::Down)),
            (KeyCode::Left, Bound::Move(Move::Left)),
            (KeyCode::Right, Bound::Move(Move::Right)),
            (Char('k'), Bound::Move(Move::Up)),
            (Char('j'), Bound::Move(Move::Down)),
            (Char('h'), Bound::Move(Move::Left)),
            (Char('l'), Bound::Move(Move::Right)),
        ],
    ),
    row(
        "PgUp PgDn Home End",
        ALL,
        "move a page; to the first / last (g / G too)",
        &[
            (KeyCode::PageUp, Bound::Move(Move::PageUp)),
            (KeyCode::PageDown, Bound::Move(Move::PageDown)),
            (KeyCode::Home, Bound::Move(Move::Home)),
            (KeyCode::End, Bound::Move(Move::End)),
            (Char('g'), Bound::Move(Move::Home)),
            (Char('G'), Bound::Move(Move::End)),
        ],
    ),
    row(
        "Space",
        ALL,
        "include / leave out the selected column or feature; toggle",
        &[(Char(' '), Bound::Toggle)],
    ),
    row(
        "? / F1",
        ALL,
        "this help (Esc closes it; F1 also works in text fields)",
        &[(Char('?'), Bound::Help)],
    ),
    row(
        "q",
        ALL,
        "quit (asks first while work runs or edits are not exported)",
        &[(Char('q'), Bound::Quit)],
    ),
    row(
        "Ctrl-C",
        ALL,
        "quit at once, from anywhere (exit status 130)",
        &[],
    ),
];

/// The rows help shows on `stage`: the screen's own, then those for
/// everywhere that no screen row explains already.
pub fn rows_for(stage: Stage) -> (Vec<&'static Binding>, Vec<&'static Binding>) {
    let own: Vec<&Binding> = BINDINGS
        .iter()
        .filter(|b| b.scope != Scope::Everywhere && b.scope.covers(stage))
        .collect();
    let everywhere = BINDINGS
        .iter()
        .filter(|b| b.scope == Scope::Everywhere && !own.iter().any(|o| o.keys == b.keys))
        .collect();
    (own, everywhere)
}

/// The key table as Markdown, for the README (a test keeps them equal).
pub fn markdown_table() -> String {
    let mut out = String::from("| Key | Where | What it does |\n|---|---|---|\n");
    for b in BINDINGS {
        let place = match b.scope {
            Scope::Everywhere => "every screen".to_string(),
            Scope::On(stages) => stages
                .iter()
                .map(|s| s.title())
                .collect::<Vec<_>>()
                .join(", "),
        };
        let keys = b.keys.replace('|', "\\|");
        out.push_str(&format!("| `{keys}` | {place} | {} |\n", b.meaning));
    }
    out
}

/// The press of `code` on `stage` in the table.
fn bound(stage: Stage, code: KeyCode) -> Option<Bound> {
    BINDINGS
        .iter()
        .filter(|b| b.scope.covers(stage))
        .flat_map(|b| b.presses.iter())
        .find(|(c, _)| *c == code)
        .map(|&(_, b)| b)
}

fn movement(code: KeyCode, vim: bool) -> Option<Move> {
    Some(match code {
        KeyCode::Up => Move::Up,
        KeyCode::Down => Move::Down,
        KeyCode::Left => Move::Left,
        KeyCode::Right => Move::Right,
        KeyCode::PageUp => Move::PageUp,
        KeyCode::PageDown => Move::PageDown,
        KeyCode::Home => Move::Home,
        KeyCode::End => Move::End,
        KeyCode::Char('k') if vim => Move::Up,
        KeyCode::Char('j') if vim => Move::Down,
        KeyCode::Char('h') if vim => Move::Left,
        KeyCode::Char('l') if vim => Move::Right,
        KeyCode::Char('g') if vim => Move::Home,
        KeyCode::Char('G') if vim => Move::End,
        _ => return None,
    })
}

/// The action for `key` in `ctx`, or `None` when the key means nothing here.
/// Releases and repeats (sent by terminals with keyboard enhancement) never act.
pub fn map_key(ctx: KeyContext, key: KeyEvent) -> Option<Action> {
    if key.kind != KeyEventKind::Press {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    if ctrl && matches!(key.code, KeyCode::Char('c') | KeyCode::Char('C')) {
        return Some(Action::ForceQuit);
    }
    if key.code == KeyCode::F(1) {
        return Some(Action::Help);
    }
    if let Some(overlay) = ctx.overlay {
        return overlay_key(overlay, key.code, ctrl, alt);
    }
    // Keys that mean the same on a screen, text field or not.
    match key.code {
        KeyCode::Esc => return Some(Action::Back),
        KeyCode::Enter => return Some(Action::Confirm),
        KeyCode::Tab => return Some(Action::NextPane),
        KeyCode::BackTab => return Some(Action::PrevPane),
        _ => {}
    }
    // Function keys are never text: they act in a text field too.
    if matches!(key.code, KeyCode::F(_)) && !ctrl && !alt {
        return bound(ctx.stage, key.code).map(Bound::action);
    }
    if ctx.text_input {
        return text_key(key.code, ctrl, alt);
    }
    if ctrl || alt {
        return None;
    }
    bound(ctx.stage, key.code).map(Bound::action)
}

/// Keys in a text field: printable characters are text.
fn text_key(code: KeyCode, ctrl: bool, alt: bool) -> Option<Action> {
    match code {
        KeyCode::Backspace => Some(Action::Backspace),
        KeyCode::Delete => Some(Action::Delete),
        KeyCode::Char('u') if ctrl => Some(Action::ClearInput),
        KeyCode::Char(c) if !ctrl && !alt => Some(Action::Input(c)),
        code => movement(code, false).map(Action::Move),
    }
}

/// An open overlay takes the keys first.
fn overlay_key(overlay: OverlayKind, code: KeyCode, ctrl: bool, alt: bool) -> Option<Action> {
    match overlay {
        OverlayKind::ConfirmQuit => match code {
            KeyCode::Char('y' | 'Y' | 'q') => Some(Action::Answer(true)),
            KeyCode::Char('n' | 'N') | KeyCode::Esc | KeyCode::Enter => Some(Action::Answer(false)),
            _ => None,
        },
        OverlayKind::Help => match code {
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('?') => Some(Action::Back),
            KeyCode::Char('q') => Some(Action::Quit),
            code => movement(code, true).map(Action::Move),
        },
        OverlayKind::Error => match code {
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char(' ') => Some(Action::Back),
            KeyCode::Char('q') => Some(Action::Quit),
            KeyCode::Char('?') => Some(Action::Help),
            _ => None,
        },
        OverlayKind::Input => match code {
            KeyCode::Esc => Some(Action::Back),
            KeyCode::Enter => Some(Action::Confirm),
            code => text_key(code, ctrl, alt),
        },
        OverlayKind::Confirm => match code {
            KeyCode::Char('y' | 'Y') => Some(Action::Answer(true)),
            KeyCode::Char('n' | 'N') | KeyCode::Esc => Some(Action::Answer(false)),
            KeyCode::Char('q') => Some(Action::Quit),
            _ => None,
        },
        OverlayKind::Picker => match code {
            KeyCode::Esc => Some(Action::Back),
            KeyCode::Enter | KeyCode::Char(' ') => Some(Action::Confirm),
            KeyCode::Char('q') => Some(Action::Quit),
            KeyCode::Char('?') => Some(Action::Help),
            code => movement(code, true).map(Action::Move),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEventState;

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }
    fn ctx(stage: Stage, overlay: Option<OverlayKind>, text_input: bool) -> KeyContext {
        KeyContext {
            stage,
            overlay,
            text_input,
        }
    }
    const SCREEN: KeyContext = KeyContext {
        stage: Stage::Load,
        overlay: None,
        text_input: false,
    };

    #[test]
    fn only_presses_act() {
        let mut release = press(KeyCode::Char('q'));
        release.kind = KeyEventKind::Release;
        assert!(map_key(SCREEN, release).is_none());
        let mut repeat = press(KeyCode::Down);
        repeat.kind = KeyEventKind::Repeat;
        assert!(map_key(SCREEN, repeat).is_none());
        let with_state = KeyEvent {
            state: KeyEventState::NUM_LOCK,
            ..press(KeyCode::Char('q'))
        };
        assert!(matches!(map_key(SCREEN, with_state), Some(Action::Quit)));
    }

    #[test]
    fn ctrl_c_quits_from_everywhere() {
        let key = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        for overlay in [
            None,
            Some(OverlayKind::Help),
            Some(OverlayKind::Error),
            Some(OverlayKind::ConfirmQuit),
            Some(OverlayKind::Picker),
            Some(OverlayKind::Input),
            Some(OverlayKind::Confirm),
        ] {
            for text in [false, true] {
                for stage in Stage::ALL {
                    assert!(
                        matches!(
                            map_key(ctx(stage, overlay, text), key),
                            Some(Action::ForceQuit)
                        ),
                        "{stage:?} {overlay:?} text={text}"
                    );
                }
            }
        }
    }

    #[test]
    fn arrows_and_vim_keys_move() {
        for (code, m) in [
            (KeyCode::Up, Move::Up),
            (KeyCode::Char('k'), Move::Up),
            (KeyCode::Down, Move::Down),
            (KeyCode::Char('j'), Move::Down),
            (KeyCode::Left, Move::Left),
            (KeyCode::Char('h'), Move::Left),
            (KeyCode::Right, Move::Right),
            (KeyCode::Char('l'), Move::Right),
        ] {
            assert!(
                matches!(map_key(SCREEN, press(code)), Some(Action::Move(x)) if x == m),
                "{code:?}"
            );
        }
    }

    #[test]
    fn text_fields_take_letters_but_not_the_special_keys() {
        let t = ctx(Stage::Load, None, true);
        assert!(matches!(
            map_key(t, press(KeyCode::Char('q'))),
            Some(Action::Input('q'))
        ));
        assert!(matches!(
            map_key(t, press(KeyCode::Char('?'))),
            Some(Action::Input('?'))
        ));
        assert!(matches!(
            map_key(t, press(KeyCode::Char('j'))),
            Some(Action::Input('j'))
        ));
        assert!(matches!(
            map_key(t, press(KeyCode::F(1))),
            Some(Action::Help)
        ));
        assert!(matches!(
            map_key(t, press(KeyCode::Esc)),
            Some(Action::Back)
        ));
        assert!(matches!(
            map_key(t, press(KeyCode::Tab)),
            Some(Action::NextPane)
        ));
        assert!(matches!(
            map_key(t, press(KeyCode::BackTab)),
            Some(Action::PrevPane)
        ));
        assert!(matches!(
            map_key(t, press(KeyCode::Enter)),
            Some(Action::Confirm)
        ));
        assert!(matches!(
            map_key(t, KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
            Some(Action::ClearInput)
        ));
        assert!(matches!(
            map_key(t, press(KeyCode::Left)),
            Some(Action::Move(Move::Left))
        ));
    }

    #[test]
    fn outside_text_fields_q_and_question_mark_are_commands() {
        assert!(matches!(
            map_key(SCREEN, press(KeyCode::Char('q'))),
            Some(Action::Quit)
        ));
        assert!(matches!(
            map_key(SCREEN, press(KeyCode::Char('?'))),
            Some(Action::Help)
        ));
        assert!(matches!(
            map_key(SCREEN, press(KeyCode::F(1))),
            Some(Action::Help)
        ));
    }

    #[test]
    fn map_screen_letters() {
        let m = ctx(Stage::Map, None, false);
        assert!(matches!(
            map_key(m, press(KeyCode::Char('f'))),
            Some(Action::SetUse(ColumnUse::Feature))
        ));
        assert!(matches!(
            map_key(m, press(KeyCode::Char('p'))),
            Some(Action::SetUse(ColumnUse::Profile))
        ));
        // `i` went: Space includes / leaves out, as on Features; `e` edits
        // the role (the column's value), `r` only ever runs the sweep.
        assert!(map_key(m, press(KeyCode::Char('i'))).is_none());
        assert!(map_key(m, press(KeyCode::Char('r'))).is_none());
        assert!(matches!(
            map_key(m, press(KeyCode::Char(' '))),
            Some(Action::Toggle)
        ));
        assert!(matches!(
            map_key(m, press(KeyCode::Char('e'))),
            Some(Action::Command(Command::EditValue))
        ));
        // Not on the Load screen.
        assert!(map_key(SCREEN, press(KeyCode::Char('f'))).is_none());
    }

    #[test]
    fn overlays_take_the_keys_first() {
        let help = ctx(Stage::Map, Some(OverlayKind::Help), false);
        assert!(matches!(
            map_key(help, press(KeyCode::Esc)),
            Some(Action::Back)
        ));
        assert!(matches!(
            map_key(help, press(KeyCode::Char('?'))),
            Some(Action::Back)
        ));
        assert!(map_key(help, press(KeyCode::Char('f'))).is_none());
        let confirm = ctx(Stage::Load, Some(OverlayKind::ConfirmQuit), true);
        assert!(matches!(
            map_key(confirm, press(KeyCode::Char('y'))),
            Some(Action::Answer(true))
        ));
        assert!(matches!(
            map_key(confirm, press(KeyCode::Char('q'))),
            Some(Action::Answer(true))
        ));
        assert!(matches!(
            map_key(confirm, press(KeyCode::Char('n'))),
            Some(Action::Answer(false))
        ));
        assert!(matches!(
            map_key(confirm, press(KeyCode::Esc)),
            Some(Action::Answer(false))
        ));
        assert!(map_key(confirm, press(KeyCode::Char('x'))).is_none());
        let picker = ctx(Stage::Map, Some(OverlayKind::Picker), false);
        assert!(matches!(
            map_key(picker, press(KeyCode::Char('j'))),
            Some(Action::Move(Move::Down))
        ));
        assert!(matches!(
            map_key(picker, press(KeyCode::Enter)),
            Some(Action::Confirm)
        ));
    }

    #[test]
    fn screen_letters_belong_to_their_screen() {
        let on = |stage| ctx(stage, None, false);
        assert!(matches!(
            map_key(on(Stage::Features), press(KeyCode::Char('t'))),
            Some(Action::Command(Command::ToggleTransform))
        ));
        assert!(matches!(
            map_key(on(Stage::Cluster), press(KeyCode::Char('r'))),
            Some(Action::Command(Command::RunSweep))
        ));
        assert!(matches!(
            map_key(on(Stage::Inspect), press(KeyCode::Char('e'))),
            Some(Action::Command(Command::EditValue))
        ));
        assert!(map_key(on(Stage::Inspect), press(KeyCode::Char('r'))).is_none());
        assert!(matches!(
            map_key(on(Stage::Inspect), press(KeyCode::Char('/'))),
            Some(Action::Command(Command::Search))
        ));
        assert!(map_key(on(Stage::Clean), press(KeyCode::Char('t'))).is_none());
        assert!(map_key(on(Stage::Map), press(KeyCode::Char('/'))).is_none());
        // A text box takes every letter; Enter and Esc answer it.
        let input = ctx(Stage::Inspect, Some(OverlayKind::Input), true);
        assert!(matches!(
            map_key(input, press(KeyCode::Char('r'))),
            Some(Action::Input('r'))
        ));
        assert!(matches!(
            map_key(input, press(KeyCode::Char('q'))),
            Some(Action::Input('q'))
        ));
        assert!(matches!(
            map_key(input, press(KeyCode::Enter)),
            Some(Action::Confirm)
        ));
        assert!(matches!(
            map_key(input, press(KeyCode::Esc)),
            Some(Action::Back)
        ));
        let confirm = ctx(Stage::Export, Some(OverlayKind::Confirm), false);
        assert!(matches!(
            map_key(confirm, press(KeyCode::Char('y'))),
            Some(Action::Answer(true))
        ));
        assert!(matches!(
            map_key(confirm, press(KeyCode::Esc)),
            Some(Action::Answer(false))
        ));
        assert!(matches!(
            map_key(confirm, press(KeyCode::Char('q'))),
            Some(Action::Quit)
        ));
    }

    /// The agreed grammar: one meaning per key on every screen.
    #[test]
    fn one_meaning_per_letter_across_screens() {
        let on = |stage| ctx(stage, None, false);
        for stage in Stage::ALL {
            let act = |c: char| map_key(on(stage), press(KeyCode::Char(c)));
            // `r` runs (Cluster), `a` is the action (Inspect): nothing else.
            if stage != Stage::Cluster {
                assert!(act('r').is_none(), "r on {stage:?}");
            }
            if stage != Stage::Inspect {
                assert!(act('a').is_none(), "a on {stage:?}");
            }
            assert!(matches!(act(' '), Some(Action::Toggle)), "{stage:?}");
            assert!(matches!(act('q'), Some(Action::Quit)), "{stage:?}");
            assert!(matches!(act('?'), Some(Action::Help)), "{stage:?}");
            if let Some(Action::Command(c)) = act('e') {
                assert_eq!(c, Command::EditValue, "e on {stage:?}");
            }
            for (i, target) in Stage::ALL.into_iter().enumerate() {
                let digit = char::from(b'1' + i as u8);
                assert!(
                    matches!(act(digit), Some(Action::JumpTo(s)) if s == target),
                    "{digit} on {stage:?}"
                );
            }
        }
        // A text field takes the digits as text.
        assert!(matches!(
            map_key(ctx(Stage::Load, None, true), press(KeyCode::Char('3'))),
            Some(Action::Input('3'))
        ));
    }

    #[test]
    fn no_press_is_bound_twice_on_one_screen() {
        for stage in Stage::ALL {
            let mut seen = Vec::new();
            for b in BINDINGS.iter().filter(|b| b.scope.covers(stage)) {
                for (code, _) in b.presses {
                    assert!(!seen.contains(code), "{code:?} twice on {stage:?}");
                    seen.push(*code);
                }
            }
        }
    }

    #[test]
    fn inspect_letters_for_sorting_comparing_and_origin() {
        let i = ctx(Stage::Inspect, None, false);
        for (c, want) in [
            ('s', Command::SortNext),
            ('S', Command::SortReverse),
            ('c', Command::Compare),
            ('o', Command::Origin),
            ('a', Command::EditAction),
            ('/', Command::Search),
        ] {
            assert!(
                matches!(map_key(i, press(KeyCode::Char(c))), Some(Action::Command(x)) if x == want),
                "{c}"
            );
        }
    }

    #[test]
    fn f2_is_the_bundled_sample_on_load_in_and_out_of_the_path_field() {
        for text_input in [true, false] {
            let load = ctx(Stage::Load, None, text_input);
            assert!(
                matches!(
                    map_key(load, press(KeyCode::F(2))),
                    Some(Action::Command(Command::BundledSample))
                ),
                "text field: {text_input}"
            );
            // With a modifier it is another key.
            let alt = KeyEvent::new(KeyCode::F(2), KeyModifiers::ALT);
            assert!(map_key(load, alt).is_none());
            // An unbound function key is not typed into the path either.
            assert!(map_key(load, press(KeyCode::F(7))).is_none());
        }
        for stage in Stage::ALL.into_iter().filter(|&s| s != Stage::Load) {
            assert!(map_key(ctx(stage, None, false), press(KeyCode::F(2))).is_none());
        }
        // A box over the screen takes the keys first.
        let boxed = ctx(Stage::Load, Some(OverlayKind::Input), true);
        assert!(map_key(boxed, press(KeyCode::F(2))).is_none());
    }
}
