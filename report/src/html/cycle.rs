//! A transactional cycle drawn as a graph: transactions on a circle, each edge an arrow
//! labelled with its kind and the key and values that justify it. Static SVG, no script.

use super::text::escape;
use crate::data::OpMap;
use checker::txn::{Cycle, Step, Why};
use std::fmt::Write;

/// Edge labels longer than this are cut (the whole reason is in the edge's tooltip and in the
/// list under the graph).
const LABEL_CHARS: usize = 36;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 360.0;
const NODE_R: f64 = 26.0;

/// A step's label: `ww x 1→2`, `wr x=[1 2]`, `rw x=[1] ↛ 3`, `process 4`, `realtime`.
pub(crate) fn edge_label(step: &Step) -> String {
    let label = match &step.why {
        Why::Overwrote {
            key, before, after, ..
        } => format!("ww {key}: {before}→{after}"),
        Why::Read { key, read, .. } => format!("wr {key}={read}"),
        Why::Missed {
            key, read, value, ..
        } => format!("rw {key}={read} missed {value}"),
        Why::Process { process } => format!("process {process}"),
        Why::Realtime { .. } => "realtime".to_string(),
        Why::Unexplained => step.edge.to_string(),
    };
    if label.chars().count() > LABEL_CHARS {
        format!("{}…", label.chars().take(LABEL_CHARS).collect::<String>())
    } else {
        label
    }
}

/// The class of an edge, for its colour.
fn edge_class(step: &Step) -> String {
    format!("e-{}", step.edge)
}

/// The cycle as an SVG element.
pub(crate) fn svg(cycle: &Cycle, ops: &OpMap) -> String {
    let n = cycle.txns.len().max(1);
    let (cx, cy) = (WIDTH / 2.0, HEIGHT / 2.0);
    let r = if n == 1 { 0.0 } else { 120.0 };
    let pos: Vec<(f64, f64)> = (0..n)
        .map(|i| {
            let a = -std::f64::consts::FRAC_PI_2 + 2.0 * std::f64::consts::PI * i as f64 / n as f64;
            (cx + r * a.cos() * 1.4, cy + r * a.sin())
        })
        .collect();
    let index_of = |t: u64| cycle.txns.iter().position(|x| x.index == t);
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg class=\"cycle\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" width=\"{WIDTH}\" height=\"{HEIGHT}\" \
         role=\"img\" aria-label=\"dependency cycle of {n} transactions\">\
         <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" \
         markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,10z\" \
         fill=\"context-stroke\"/></marker></defs>"
    );
    for step in &cycle.steps {
        let (Some(a), Some(b)) = (index_of(step.from), index_of(step.to)) else {
            continue;
        };
        let ((x1, y1), (x2, y2)) = (pos[a], pos[b]);
        let (mx, my) = ((x1 + x2) / 2.0, (y1 + y2) / 2.0);
        let (dx, dy) = (x2 - x1, y2 - y1);
        let len = (dx * dx + dy * dy).sqrt().max(1.0);
        // Bend outwards from the centre, or to the left of the direction when the chord passes
        // through it (two transactions: the two edges bend to opposite sides).
        let (ox, oy) = {
            let (fx, fy) = (mx - cx, my - cy);
            let fl = (fx * fx + fy * fy).sqrt();
            if fl > 1.0 {
                (fx / fl, fy / fl)
            } else {
                (dy / len, -dx / len)
            }
        };
        let bend = 40.0;
        let (qx, qy) = (mx + ox * bend, my + oy * bend);
        // Start and end on the circles' rims.
        let towards = |(px, py): (f64, f64), (tx, ty): (f64, f64)| {
            let (ux, uy) = (tx - px, ty - py);
            let l = (ux * ux + uy * uy).sqrt().max(1.0);
            (px + ux / l * NODE_R, py + uy / l * NODE_R)
        };
        let (sx, sy) = towards(pos[a], (qx, qy));
        let (ex, ey) = towards(pos[b], (qx, qy));
        // The label just outside the curve's midpoint, anchored away from the curve.
        let (lx, ly) = (
            mx + ox * (bend * 0.5 + 8.0),
            my + oy * (bend * 0.5 + 8.0) + 4.0,
        );
        let anchor = if ox > 0.3 {
            "start"
        } else if ox < -0.3 {
            "end"
        } else {
            "middle"
        };
        let _ = write!(
            out,
            "<g class=\"edge {}\"><title>{}</title>\
             <path d=\"M{sx:.1},{sy:.1}Q{qx:.1},{qy:.1} {ex:.1},{ey:.1}\" marker-end=\"url(#arrow)\"/>\
             <text x=\"{lx:.1}\" y=\"{ly:.1}\" text-anchor=\"{anchor}\">{}</text></g>",
            edge_class(step),
            escape(&step.to_string()),
            escape(&edge_label(step))
        );
    }
    for (t, &(x, y)) in cycle.txns.iter().zip(&pos) {
        let href = ops
            .call_of(t.index)
            .map_or(String::new(), |c| format!(" href=\"#call={c}\""));
        let _ = write!(
            out,
            "<a class=\"txn\"{href}><title>T{} = process {}: {}</title>\
             <circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{NODE_R}\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">T{}</text></a>",
            t.index,
            t.process,
            escape(&t.mops_text()),
            y + 4.0,
            t.index
        );
    }
    out.push_str("</svg>");
    out
}
