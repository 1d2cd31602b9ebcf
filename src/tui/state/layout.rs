//! Where each pane goes for a terminal size. Plain arithmetic shared by
//! render (to draw) and update (page sizes, mouse hit-testing).

use super::Pane;

pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Area {
    pub x: u16,
    pub y: u16,
    pub width: u16,
    pub height: u16,
}

impl Area {
    pub fn contains(&self, col: u16, row: u16) -> bool {
        col >= self.x && col < self.x + self.width && row >= self.y && row < self.y + self.height
    }

    /// The inside of a one-cell border.
    pub fn inner(&self) -> Area {
        Area {
            x: self.x + 1,
            y: self.y + 1,
            width: self.width.saturating_sub(2),
            height: self.height.saturating_sub(2),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Layout {
    pub header: Area,
    pub fleet: Option<Area>,
    pub stream: Option<Area>,
    pub session: Option<Area>,
    pub status: Area,
    pub hints: Area,
}

impl Layout {
    pub fn too_small(width: u16, height: u16) -> bool {
        width < MIN_WIDTH || height < MIN_HEIGHT
    }

    /// Panes for a `width`×`height` screen. Tall screens show the fleet on
    /// top, the focused side taller; wide ones show the stream and the
    /// session side by side below it; small ones show only the focused
    /// pane (`bottom` says which of stream and session was last used).
    pub fn compute(width: u16, height: u16, focus: Pane, bottom: Pane) -> Self {
        let row = |y: u16, h: u16| Area {
            x: 0,
            y,
            width,
            height: h,
        };
        let mut layout = Layout {
            header: row(0, 1),
            status: row(height.saturating_sub(2), 1),
            hints: row(height.saturating_sub(1), 1),
            ..Layout::default()
        };
        let body = row(1, height.saturating_sub(3));
        if height < 20 {
            let area = Some(body);
            match focus {
                Pane::Fleet => layout.fleet = area,
                Pane::Stream => layout.stream = area,
                Pane::Session => layout.session = area,
            }
            return layout;
        }
        // The focused side gets three fifths, as lazygit grows the panel in
        // use: a fleet to choose from, or the stream being read.
        let fleet_height = if focus == Pane::Fleet {
            body.height * 3 / 5
        } else {
            body.height * 2 / 5
        };
        layout.fleet = Some(Area {
            height: fleet_height,
            ..body
        });
        let lower = Area {
            y: body.y + fleet_height,
            height: body.height - fleet_height,
            ..body
        };
        if width >= 120 {
            // The side last used is the wider: the stream, or the session
            // pane (the stuck view's "why", whose commands need the room).
            let stream_width = if bottom == Pane::Session {
                width * 2 / 5
            } else {
                width * 3 / 5
            };
            layout.stream = Some(Area {
                width: stream_width,
                ..lower
            });
            layout.session = Some(Area {
                x: stream_width,
                width: width - stream_width,
                ..lower
            });
        } else if bottom == Pane::Session {
            layout.session = Some(lower);
        } else {
            layout.stream = Some(lower);
        }
        layout
    }
}
