//! Key presses -> [`Action`]s. The only place that knows about key codes.
//!
//! What a key means depends on the [`KeyContext`]: an open overlay takes
//! the keys first; a focused text field takes printable characters (so `q`
//! and `?` type into a path, and F1 / Esc / Ctrl-C still work there).

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
    match ctx.overlay {
        Some(OverlayKind::ConfirmQuit) => {
            return match key.code {
                KeyCode::Char('y' | 'Y' | 'q') => Some(Action::Answer(true)),
                KeyCode::Char('n' | 'N') | KeyCode::Esc | KeyCode::Enter => {
                    Some(Action::Answer(false))
                }
                _ => None,
            };
        }
        Some(OverlayKind::Help) => {
            return match key.code {
                KeyCode::Esc | KeyCode::Enter | KeyCode::Char('?') => Some(Action::Back),
                KeyCode::Char('q') => Some(Action::Quit),
                code => movement(code, true).map(Action::Move),
            };
        }
        Some(OverlayKind::Error) => {
            return match key.code {
                KeyCode::Esc | KeyCode::Enter | KeyCode::Char(' ') => Some(Action::Back),
                KeyCode::Char('q') => Some(Action::Quit),
                KeyCode::Char('?') => Some(Action::Help),
                _ => None,
            };
        }
        Some(OverlayKind::Input) => {
            return match key.code {
                KeyCode::Esc => Some(Action::Back),
                KeyCode::Enter => Some(Action::Confirm),
                KeyCode::Backspace => Some(Action::Backspace),
                KeyCode::Delete => Some(Action::Delete),
                KeyCode::Char('u') if ctrl => Some(Action::ClearInput),
                KeyCode::Char(c) if !ctrl && !alt => Some(Action::Input(c)),
                code => movement(code, false).map(Action::Move),
            };
        }
        Some(OverlayKind::Confirm) => {
            return match key.code {
                KeyCode::Char('y' | 'Y') => Some(Action::Answer(true)),
                KeyCode::Char('n' | 'N') | KeyCode::Esc => Some(Action::Answer(false)),
                KeyCode::Char('q') => Some(Action::Quit),
                _ => None,
            };
        }
        Some(OverlayKind::Picker) => {
            return match key.code {
                KeyCode::Esc => Some(Action::Back),
                KeyCode::Enter | KeyCode::Char(' ') => Some(Action::Confirm),
                KeyCode::Char('q') => Some(Action::Quit),
                KeyCode::Char('?') => Some(Action::Help),
                code => movement(code, true).map(Action::Move),
            };
        }
        None => {}
    }
    // Keys that mean the same everywhere on a screen.
    match key.code {
        KeyCode::Esc => return Some(Action::Back),
        KeyCode::Enter => return Some(Action::Confirm),
        KeyCode::Tab => return Some(Action::NextPane),
        KeyCode::BackTab => return Some(Action::PrevPane),
        _ => {}
    }
    if ctx.text_input {
        return match key.code {
            KeyCode::Backspace => Some(Action::Backspace),
            KeyCode::Delete => Some(Action::Delete),
            KeyCode::Char('u') if ctrl => Some(Action::ClearInput),
            KeyCode::Char(c) if !ctrl && !alt => Some(Action::Input(c)),
            code => movement(code, false).map(Action::Move),
        };
    }
    if ctrl || alt {
        return None;
    }
    match key.code {
        KeyCode::Char('q') => return Some(Action::Quit),
        KeyCode::Char('?') => return Some(Action::Help),
        KeyCode::Char(' ') => return Some(Action::Toggle),
        _ => {}
    }
    if ctx.stage == Stage::Map {
        match key.code {
            KeyCode::Char('f') => return Some(Action::SetUse(ColumnUse::Feature)),
            KeyCode::Char('p') => return Some(Action::SetUse(ColumnUse::Profile)),
            KeyCode::Char('i') => return Some(Action::SetUse(ColumnUse::Ignore)),
            KeyCode::Char('r') => return Some(Action::PickRole),
            _ => {}
        }
    }
    if let KeyCode::Char(c) = key.code
        && let Some(command) = stage_command(ctx.stage, c)
    {
        return Some(command);
    }
    if key.code == KeyCode::Backspace && ctx.stage == Stage::Load {
        // The file list: Backspace goes up a folder, as in most file managers.
        return Some(Action::Move(Move::Left));
    }
    movement(key.code, true).map(Action::Move)
}

/// The letters of each later screen.
fn stage_command(stage: Stage, c: char) -> Option<Action> {
    let command = match (stage, c) {
        (Stage::Features, 't') => Command::ToggleTransform,
        (Stage::Features, 'a') => Command::EditAsOf,
        (Stage::Features, 'x') => return Some(Action::Toggle),
        (Stage::Cluster, 'r') => Command::RunSweep,
        (Stage::Cluster, 'a') => Command::AutoK,
        (Stage::Cluster, 'e') => Command::EditValue,
        (Stage::Cluster, 'v') => Command::SwapView,
        (Stage::Cluster, 'w') => Command::WidenRange,
        (Stage::Inspect, 'r') => Command::Rename,
        (Stage::Inspect, 'a') => Command::EditAction,
        (Stage::Inspect, '/') => Command::Search,
        (Stage::Inspect, 'p') => Command::Scatter,
        (Stage::Inspect, 'e') => Command::Next,
        (Stage::Inspect, 's') => Command::SortNext,
        (Stage::Inspect, 'S') => Command::SortReverse,
        (Stage::Inspect, 'c') => Command::Compare,
        _ => return None,
    };
    Some(Action::Command(command))
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
        assert!(matches!(
            map_key(m, press(KeyCode::Char('i'))),
            Some(Action::SetUse(ColumnUse::Ignore))
        ));
        assert!(matches!(
            map_key(m, press(KeyCode::Char('r'))),
            Some(Action::PickRole)
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
            map_key(on(Stage::Inspect), press(KeyCode::Char('r'))),
            Some(Action::Command(Command::Rename))
        ));
        assert!(matches!(
            map_key(on(Stage::Inspect), press(KeyCode::Char('/'))),
            Some(Action::Command(Command::Search))
        ));
        assert!(map_key(on(Stage::Clean), press(KeyCode::Char('t'))).is_none());
        assert!(map_key(on(Stage::Load), press(KeyCode::Char('/'))).is_none());
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
}
