//! Pictures of learned regions in the plane: a small subtree of a 2-dimensional model, each
//! node drawn as the region its model gives it, shaded by depth in the subtree (see
//! [`draw_regions`]).

use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};
use std::f64::consts::PI;
use std::ops::Range;

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::data::Hierarchy;
use crate::error::{Error, Result};
use crate::hierarchy::cones::{ConeGeometry, Flat, Hyperbolic};
use crate::hierarchy::Model;

/// Size of a picture, in pixels.
const SIZE: (u32, u32) = (520, 540);
/// At most this many of the root's children are labelled (those with most descendants).
const MAX_LABELLED_CHILDREN: usize = 8;
/// At most this many roots are labelled, when `nodes` is not one subtree.
const MAX_LABELLED_ROOTS: usize = 3;
/// The colour of the unit circle and of the axes.
const GREY: RGBColor = RGBColor(140, 140, 140);
/// The colour of lines to parents.
const LINK: RGBColor = RGBColor(110, 110, 110);
/// The colour of labels.
const INK: RGBColor = RGBColor(25, 25, 25);
/// The depth ramp, shallow to deep (light to dark blue, after ColorBrewer's Blues).
const RAMP: [RGBColor; 3] = [
    RGBColor(158, 202, 225),
    RGBColor(49, 130, 189),
    RGBColor(8, 48, 107),
];

/// The node with the most descendants (itself counted) among those with at most
/// `max_nodes`, followed by all its descendants in index order. Ties go to the node with
/// more children (a bushier picture), then to the lower index. Empty only when `max_nodes`
/// is 0 or the hierarchy has no node.
///
/// ```
/// use sphaera::data::{parse_edges, Hierarchy};
/// use sphaera::hierarchy::small_subtree;
/// let text = "dog\tcanine\nwolf\tcanine\ncanine\tmammal\ncat\tmammal\n";
/// let h = Hierarchy::from_edge_list(&parse_edges(text, "-").unwrap()).unwrap();
/// let names = |nodes: Vec<u32>| nodes.iter().map(|&u| h.name(u).to_string()).collect::<Vec<_>>();
/// assert_eq!(names(small_subtree(&h, 3)), ["canine", "dog", "wolf"]);
/// assert_eq!(small_subtree(&h, 10).len(), 5);
/// ```
pub fn small_subtree(hierarchy: &Hierarchy, max_nodes: usize) -> Vec<u32> {
    let n = hierarchy.n();
    let closure = hierarchy.closure();
    let sizes: Vec<usize> = closure.descendant_counts().iter().map(|c| c + 1).collect();
    let mut children = vec![0usize; n];
    for (_, parent) in hierarchy.edges() {
        children[parent as usize] += 1;
    }
    let Some(root) = (0..n as u32)
        .filter(|&u| sizes[u as usize] <= max_nodes)
        .max_by_key(|&u| (sizes[u as usize], children[u as usize], Reverse(u)))
    else {
        return Vec::new();
    };
    let mut nodes = vec![root];
    nodes.extend((0..n as u32).filter(|&u| closure.is_ancestor(u, root)));
    nodes
}

/// An SVG picture of the regions of `nodes` (rows of `model`, numbered as `hierarchy`'s
/// nodes) in a 2-dimensional model, titled `title`, each region shaded by its depth among
/// `nodes` (deeper is darker):
///
/// | model | drawn as |
/// |---|---|
/// | [`Model::Balls`] | discs (one filled and one outlined `<circle>` per node) |
/// | [`Model::Caps`] | arcs of the unit circle, as bands just outside it, one ring per depth (a sunburst: the root nearest the circle), one `<polygon>` per node |
/// | [`Model::Poincare`] | points (one `<circle>` per node) inside the unit circle, a line to each parent |
/// | [`Model::Euclidean`] | points (one `<circle>` per node), a line to each parent |
/// | [`Model::Order`] | points (one `<circle>` per node) and their regions `{y : y ≥ x_u}` shaded (one `<rect>` per node), cut at the view's edge |
/// | [`Model::Boxes`] | rectangles (one filled and one outlined `<rect>` per node) |
///
/// Besides these, a picture holds one `<rect>` (the white background), the axes and the
/// unit circle as polylines, and text. The view is fitted to the drawn regions with equal
/// scales on both axes, so discs stay round. The root and its children are labelled (the
/// children with most descendants first), leaving out a label that would cover an earlier
/// one; WordNet names lose their `.n.01`.
///
/// Lines and depths follow the hierarchy restricted to `nodes` (reduced, so a hierarchy
/// given as its closure draws the same); repeated nodes are drawn once.
///
/// Fails when the model is not 2-dimensional, when its rows do not match the hierarchy's
/// nodes, or when `nodes` is empty or names a node the hierarchy lacks.
///
/// ```
/// use sphaera::data::{parse_edges, Hierarchy};
/// use sphaera::hierarchy::{draw_regions, small_subtree, Balls, Model};
/// let h = Hierarchy::from_edge_list(&parse_edges("dog\tmammal\ncat\tmammal\n", "-").unwrap()).unwrap();
/// // dog, mammal, cat: two small discs inside a large one.
/// let balls = Balls::from_parts(2, vec![-0.5, 0.0, 0.0, 0.0, 0.5, 0.0], vec![-1.0, 0.1, -1.0]).unwrap();
/// let svg = draw_regions(&Model::Balls(balls), &h, &small_subtree(&h, 10), "mammals").unwrap();
/// assert_eq!(svg.matches("<circle").count(), 2 * 3);
/// assert!(svg.contains("mammal"));
///
/// let flat = Balls::from_parts(3, vec![0.0; 9], vec![0.0; 3]).unwrap();
/// let err = draw_regions(&Model::Balls(flat), &h, &[0, 1, 2], "no").unwrap_err();
/// assert_eq!(err.to_string(), "model dimension must be 2 (regions are drawn in the plane), got 3");
/// ```
pub fn draw_regions(
    model: &Model,
    hierarchy: &Hierarchy,
    nodes: &[u32],
    title: &str,
) -> Result<String> {
    let (rows, dim) = rows_and_dim(model);
    if dim != 2 {
        return Err(Error::InvalidParameter {
            name: "model dimension",
            expected: "2 (regions are drawn in the plane)",
            value: dim.to_string(),
        });
    }
    if rows != hierarchy.n() {
        return Err(Error::Shape {
            what: "model (one row per hierarchy node)",
            expected: vec![hierarchy.n(), 2],
            found: vec![rows, 2],
        });
    }
    let subtree = Subtree::new(hierarchy, nodes)?;
    let at = |x: &[f64]| (x[0], x[1]);
    let regions: Vec<Region> = subtree
        .nodes
        .iter()
        .map(|&u| match model {
            Model::Balls(b) => Region::Disc {
                center: at(b.center(u)),
                radius: b.radius(u),
            },
            Model::Caps(c) => {
                let x = c.center(u);
                Region::Arc {
                    angle: x[1].atan2(x[0]),
                    half_width: c.angular_radius(u),
                }
            }
            Model::Poincare(p) => Region::Point(at(p.point(u))),
            Model::Euclidean(e) => Region::Point(at(e.point(u))),
            Model::Order(o) => Region::Orthant(at(o.vector(u))),
            Model::Boxes(b) => Region::Rect {
                min: at(b.min_corner(u)),
                max: at(b.max_corner(u)),
            },
            Model::EuclideanCones(c) => Region::Cone {
                apex: at(c.apex(u)),
                half_aperture: Flat::aperture(c.apex(u)),
                hyperbolic: false,
            },
            Model::HyperbolicCones(c) => Region::Cone {
                apex: at(c.apex(u)),
                half_aperture: Hyperbolic::aperture(c.apex(u)),
                hyperbolic: true,
            },
        })
        .collect();
    let frame = Frame {
        unit_circle: matches!(
            model,
            Model::Caps(_) | Model::Poincare(_) | Model::HyperbolicCones(_)
        ),
        lines_to_parents: matches!(model, Model::Poincare(_) | Model::Euclidean(_)),
    };
    Picture::new(&subtree, regions, frame).render(hierarchy, title)
}

/// The number of rows and the dimension of `model`. (New kinds of model add an arm here
/// and one in [`draw_regions`].)
fn rows_and_dim(model: &Model) -> (usize, usize) {
    match model {
        Model::Balls(b) => (b.n(), b.dim()),
        Model::Caps(c) => (c.n(), c.dim()),
        Model::Poincare(p) => (p.n(), p.dim()),
        Model::Euclidean(e) => (e.n(), e.dim()),
        Model::Order(o) => (o.n(), o.dim()),
        Model::Boxes(b) => (b.n(), b.dim()),
        Model::EuclideanCones(c) => (c.n(), c.dim()),
        Model::HyperbolicCones(c) => (c.n(), c.dim()),
    }
}

/// The nodes to draw and the hierarchy among them.
struct Subtree {
    /// The nodes, without repeats, in the order given.
    nodes: Vec<u32>,
    /// For each node, the positions (in `nodes`) of its parents among `nodes`: its nearest
    /// ancestors there.
    parents: Vec<Vec<usize>>,
    /// For each node, the longest chain of parents above it among `nodes`.
    depth: Vec<usize>,
    /// For each node, how many of `nodes` are below it.
    below: Vec<usize>,
}

impl Subtree {
    fn new(hierarchy: &Hierarchy, nodes: &[u32]) -> Result<Self> {
        let mut position: HashMap<u32, usize> = HashMap::new();
        let mut kept = Vec::new();
        for &u in nodes {
            if u as usize >= hierarchy.n() {
                return Err(Error::InvalidParameter {
                    name: "node to draw",
                    expected: "a node of the hierarchy",
                    value: format!("{u} (of {} nodes)", hierarchy.n()),
                });
            }
            if let std::collections::hash_map::Entry::Vacant(slot) = position.entry(u) {
                slot.insert(kept.len());
                kept.push(u);
            }
        }
        if kept.is_empty() {
            return Err(Error::InvalidParameter {
                name: "nodes to draw",
                expected: "at least one node",
                value: "none".into(),
            });
        }
        // Each node's ancestors among the kept ones, through every path of the whole
        // hierarchy (a path may leave the kept nodes and come back).
        let ancestors: Vec<Vec<usize>> = kept
            .iter()
            .map(|&u| {
                let mut seen = HashSet::new();
                let mut stack = hierarchy.parents(u).to_vec();
                let mut found = Vec::new();
                while let Some(v) = stack.pop() {
                    if seen.insert(v) {
                        if let Some(&at) = position.get(&v) {
                            found.push(at);
                        }
                        stack.extend_from_slice(hierarchy.parents(v));
                    }
                }
                found.sort_unstable();
                found
            })
            .collect();
        let parents: Vec<Vec<usize>> = ancestors
            .iter()
            .map(|mine| {
                mine.iter()
                    .copied()
                    .filter(|&a| !mine.iter().any(|&b| ancestors[b].binary_search(&a).is_ok()))
                    .collect()
            })
            .collect();
        // An ancestor has strictly fewer ancestors than its descendant, so this order puts
        // parents first.
        let mut order: Vec<usize> = (0..kept.len()).collect();
        order.sort_by_key(|&i| (ancestors[i].len(), i));
        let mut depth = vec![0; kept.len()];
        for &i in &order {
            depth[i] = parents[i].iter().map(|&p| depth[p] + 1).max().unwrap_or(0);
        }
        let mut below = vec![0; kept.len()];
        for mine in &ancestors {
            for &a in mine {
                below[a] += 1;
            }
        }
        Ok(Subtree {
            nodes: kept,
            parents,
            depth,
            below,
        })
    }

    /// The positions of the nodes to label: the roots, then their children, each group by
    /// most descendants first and capped.
    fn labelled(&self) -> Vec<usize> {
        let pick = |depth: usize, most: usize| {
            let mut of: Vec<usize> = (0..self.nodes.len())
                .filter(|&i| self.depth[i] == depth)
                .collect();
            of.sort_by_key(|&i| (Reverse(self.below[i]), i));
            of.truncate(most);
            of
        };
        let mut labelled = pick(0, MAX_LABELLED_ROOTS);
        labelled.extend(pick(1, MAX_LABELLED_CHILDREN));
        labelled
    }
}

/// The region of one node, in model coordinates.
enum Region {
    /// A ball.
    Disc { center: (f64, f64), radius: f64 },
    /// A cap of the unit circle: the arc of directions within `half_width` of `angle`.
    Arc { angle: f64, half_width: f64 },
    /// A point.
    Point((f64, f64)),
    /// An order embedding's point and the quadrant above and to the right of it.
    Orthant((f64, f64)),
    /// An axis-aligned rectangle.
    Rect { min: (f64, f64), max: (f64, f64) },
    /// An entailment cone: its apex, and the rays (geodesics in the Poincaré disk when
    /// `hyperbolic`) at `half_aperture` either side of the direction away from the origin.
    Cone {
        apex: (f64, f64),
        half_aperture: f64,
        hyperbolic: bool,
    },
}

/// Points of a cone's boundary ray leaving `apex` at `angle`, out to `reach` (Euclidean), or
/// the geodesic ray of the Poincaré disk out to its end on the unit circle (hyperbolic).
fn cone_ray(apex: (f64, f64), angle: f64, hyperbolic: bool, reach: f64) -> Vec<(f64, f64)> {
    let direction = (angle.cos(), angle.sin());
    if !hyperbolic {
        return vec![
            apex,
            (apex.0 + reach * direction.0, apex.1 + reach * direction.1),
        ];
    }
    // exp_x(t v) = x ⊕ tanh(t) v for a unit tangent v at x, in the Möbius sum (t scaled so
    // that tanh runs from 0 towards 1).
    let (x, xx) = (apex, apex.0 * apex.0 + apex.1 * apex.1);
    (0..=64)
        .map(|k| {
            let t = (f64::from(k) / 64.0 * 6.0).tanh().min(1.0 - 1e-9);
            let y = (t * direction.0, t * direction.1);
            let (xy, yy) = (x.0 * y.0 + x.1 * y.1, y.0 * y.0 + y.1 * y.1);
            let den = 1.0 + 2.0 * xy + xx * yy;
            let a = (1.0 + 2.0 * xy + yy) / den;
            let b = (1.0 - xx) / den;
            (a * x.0 + b * y.0, a * x.1 + b * y.1)
        })
        .collect()
}

/// The parts of the polyline `points` inside the rectangle `x × y`, each a path (each
/// segment cut by Liang–Barsky; consecutive visible pieces joined).
fn clip_path_to_view(
    points: &[(f64, f64)],
    x: &Range<f64>,
    y: &Range<f64>,
) -> Vec<Vec<(f64, f64)>> {
    let mut paths: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut open = false;
    for pair in points.windows(2) {
        let (p, q) = (pair[0], pair[1]);
        let (dx, dy) = (q.0 - p.0, q.1 - p.1);
        let (mut t0, mut t1) = (0.0f64, 1.0f64);
        let mut visible = true;
        for (step, room) in [
            (-dx, p.0 - x.start),
            (dx, x.end - p.0),
            (-dy, p.1 - y.start),
            (dy, y.end - p.1),
        ] {
            if step == 0.0 {
                visible &= room >= 0.0;
            } else if step < 0.0 {
                t0 = t0.max(room / step);
            } else {
                t1 = t1.min(room / step);
            }
        }
        if !visible || t0 > t1 {
            open = false;
            continue;
        }
        let a = (p.0 + t0 * dx, p.1 + t0 * dy);
        let b = (p.0 + t1 * dx, p.1 + t1 * dy);
        match paths.last_mut() {
            Some(path) if open && t0 == 0.0 => path.push(b),
            _ => paths.push(vec![a, b]),
        }
        open = t1 == 1.0;
    }
    paths
}

/// The part of polygon `points` inside the rectangle `x × y` (Sutherland–Hodgman: the
/// rectangle is convex, so one pass per side).
fn clip_to_view(points: Vec<(f64, f64)>, x: &Range<f64>, y: &Range<f64>) -> Vec<(f64, f64)> {
    type Side = (fn((f64, f64)) -> f64, f64, bool);
    let sides: [Side; 4] = [
        (|p| p.0, x.start, true),
        (|p| p.0, x.end, false),
        (|p| p.1, y.start, true),
        (|p| p.1, y.end, false),
    ];
    let mut polygon = points;
    for (coordinate, bound, above) in sides {
        let inside = |p: (f64, f64)| (coordinate(p) >= bound) == above;
        let mut clipped = Vec::with_capacity(polygon.len() + 4);
        for (i, &p) in polygon.iter().enumerate() {
            let q = polygon[(i + 1) % polygon.len()];
            if inside(p) {
                clipped.push(p);
            }
            if inside(p) != inside(q) {
                let t = (bound - coordinate(p)) / (coordinate(q) - coordinate(p));
                clipped.push((p.0 + t * (q.0 - p.0), p.1 + t * (q.1 - p.1)));
            }
        }
        polygon = clipped;
        if polygon.is_empty() {
            break;
        }
    }
    polygon
}

/// What is drawn besides the regions.
#[derive(Clone, Copy)]
struct Frame {
    /// The unit circle (the sphere of caps, the Poincaré disk's boundary).
    unit_circle: bool,
    /// A line from each node to each of its parents.
    lines_to_parents: bool,
}

/// Everything to draw, in model coordinates.
struct Picture<'a> {
    subtree: &'a Subtree,
    regions: Vec<Region>,
    frame: Frame,
    /// The width of one ring of caps (caps at depth `k` lie between radii
    /// `1 + gap + k·(width + gap)` and that plus `width`).
    ring: f64,
}

impl<'a> Picture<'a> {
    fn new(subtree: &'a Subtree, regions: Vec<Region>, frame: Frame) -> Self {
        // Rings of caps as thick as a tenth of the widest arc, so a zoomed subtree of small
        // caps keeps its proportions; never more than 0.08 (a whole-circle root).
        let widest = regions
            .iter()
            .map(|r| match r {
                Region::Arc { half_width, .. } => 2.0 * half_width,
                _ => 0.0,
            })
            .fold(0.0, f64::max);
        Picture {
            subtree,
            regions,
            frame,
            ring: (0.1 * widest).clamp(1e-4, 0.08),
        }
    }

    /// The inner and outer radius of the ring of caps at `depth`.
    fn ring_radii(&self, depth: usize) -> (f64, f64) {
        let gap = 0.35 * self.ring;
        let inner = 1.0 + gap + depth as f64 * (self.ring + gap);
        (inner, inner + self.ring)
    }

    /// The band of cap `i` as a closed polygon: the outer arc, then the inner arc back.
    fn band(&self, i: usize, angle: f64, half_width: f64) -> Vec<(f64, f64)> {
        let (inner, outer) = self.ring_radii(self.subtree.depth[i]);
        let steps = ((2.0 * half_width).to_degrees().ceil() as usize).clamp(8, 720);
        let at = |k: usize| angle - half_width + 2.0 * half_width * k as f64 / steps as f64;
        let mut band: Vec<(f64, f64)> = (0..=steps)
            .map(|k| (outer * at(k).cos(), outer * at(k).sin()))
            .collect();
        band.extend(
            (0..=steps)
                .rev()
                .map(|k| (inner * at(k).cos(), inner * at(k).sin())),
        );
        band
    }

    /// The points each region needs to be seen whole.
    fn extent(&self, i: usize) -> Vec<(f64, f64)> {
        match self.regions[i] {
            Region::Disc { center, radius } => vec![
                (center.0 - radius, center.1 - radius),
                (center.0 + radius, center.1 + radius),
            ],
            Region::Arc { angle, half_width } => self.band(i, angle, half_width),
            Region::Point(p) | Region::Orthant(p) | Region::Cone { apex: p, .. } => vec![p],
            Region::Rect { min, max } => vec![min, max],
        }
    }

    /// Where a cap's label goes: beyond the outermost ring for the root's children, just
    /// inside the unit circle for the root, at the middle of the arc.
    fn arc_label_radius(&self, i: usize) -> f64 {
        if self.subtree.depth[i] == 0 {
            1.0 - 0.3 * self.ring
        } else {
            let deepest = self.subtree.depth.iter().copied().max().unwrap_or(0);
            self.ring_radii(deepest).1 + 0.3 * self.ring
        }
    }

    /// The view: the regions' bounding box with a margin, in model coordinates, before it
    /// is widened to the picture's aspect.
    fn bounds(&self) -> (Range<f64>, Range<f64>) {
        let mut points: Vec<(f64, f64)> = (0..self.regions.len())
            .flat_map(|i| self.extent(i))
            .collect();
        for &i in &self.subtree.labelled() {
            if let Region::Arc { angle, .. } = self.regions[i] {
                let r = self.arc_label_radius(i);
                points.push((r * angle.cos(), r * angle.sin()));
            }
        }
        let (mut x, mut y) = (
            f64::INFINITY..f64::NEG_INFINITY,
            f64::INFINITY..f64::NEG_INFINITY,
        );
        for (px, py) in points {
            x = x.start.min(px)..x.end.max(px);
            y = y.start.min(py)..y.end.max(py);
        }
        let span = (x.end - x.start).max(y.end - y.start);
        // One point alone: a view as wide as a tenth of its distance to the origin.
        let span = if span > 1e-12 {
            span
        } else {
            0.1 * x.start.abs().max(y.start.abs()).max(1.0)
        };
        // Orthants reach to infinity up and to the right: show them well past the points.
        let orthants = self.regions.iter().any(|r| matches!(r, Region::Orthant(_)));
        let (low, high) = if orthants { (0.1, 0.3) } else { (0.1, 0.1) };
        (
            x.start - low * span..x.end + high * span,
            y.start - low * span..y.end + high * span,
        )
    }

    fn render(&self, hierarchy: &Hierarchy, title: &str) -> Result<String> {
        let (x, y) = equal_aspect(self.bounds(), plot_pixels(title)?);
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
            root.fill(&WHITE).map_err(plot_error)?;
            let mut chart = chart_on(&root, title, x.clone(), y.clone())?;
            chart
                .configure_mesh()
                .disable_mesh()
                .x_labels(5)
                .y_labels(5)
                .axis_style(GREY)
                .label_style(("sans-serif", 14))
                .x_label_formatter(&|v| tick_label(*v, x.end - x.start))
                .y_label_formatter(&|v| tick_label(*v, y.end - y.start))
                .draw()
                .map_err(plot_error)?;
            if self.frame.unit_circle {
                let circle = (0..=1440).map(|k| {
                    let t = 2.0 * PI * f64::from(k) / 1440.0;
                    (t.cos(), t.sin())
                });
                for run in inside_runs(circle, &x, &y) {
                    chart
                        .draw_series(std::iter::once(PathElement::new(run, GREY)))
                        .map_err(plot_error)?;
                }
            }
            if self.frame.lines_to_parents {
                for (i, parents) in self.subtree.parents.iter().enumerate() {
                    for &p in parents {
                        let line = vec![self.anchor(i), self.anchor(p)];
                        chart
                            .draw_series(std::iter::once(PathElement::new(line, LINK)))
                            .map_err(plot_error)?;
                    }
                }
            }
            // Shallow regions first, so deeper ones lie on top.
            let mut order: Vec<usize> = (0..self.regions.len()).collect();
            order.sort_by_key(|&i| (self.subtree.depth[i], i));
            let deepest = self.subtree.depth.iter().copied().max().unwrap_or(0);
            let pixels_per_unit = chart.plotting_area().dim_in_pixel().0 as f64 / (x.end - x.start);
            for &i in &order {
                let color = depth_color(self.subtree.depth[i], deepest);
                self.draw_region(&mut chart, i, color, pixels_per_unit, (&x, &y))?;
            }
            let mut placed = Vec::new();
            for &i in &self.subtree.labelled() {
                let name = short_name(hierarchy.name(self.subtree.nodes[i]));
                self.draw_label(&mut chart, i, &name, &mut placed)?;
            }
            root.present().map_err(plot_error)?;
        }
        Ok(svg)
    }

    /// The opacity of each orthant's shade: nested orthants pile up, so the more there
    /// are, the lighter each (about half opaque where all overlap).
    fn orthant_opacity(&self) -> f64 {
        (0.7 / self.regions.len() as f64).clamp(0.03, 0.15)
    }

    /// The point lines to parents join.
    fn anchor(&self, i: usize) -> (f64, f64) {
        match self.regions[i] {
            Region::Disc { center, .. } => center,
            Region::Arc { angle, .. } => (angle.cos(), angle.sin()),
            Region::Point(p) | Region::Orthant(p) | Region::Cone { apex: p, .. } => p,
            Region::Rect { min, max } => ((min.0 + max.0) / 2.0, (min.1 + max.1) / 2.0),
        }
    }

    fn draw_region(
        &self,
        chart: &mut Chart<'_, '_>,
        i: usize,
        color: RGBColor,
        pixels_per_unit: f64,
        (x, y): (&Range<f64>, &Range<f64>),
    ) -> Result<()> {
        let fill = color.mix(0.22).filled();
        let stroke = color.stroke_width(2);
        let dot = |p: (f64, f64)| Circle::new(p, 4, color.filled());
        match self.regions[i] {
            Region::Disc { center, radius } => {
                // At least a pixel, so a tiny ball still shows.
                let r = (radius * pixels_per_unit).round().max(1.0) as i32;
                chart
                    .draw_series([Circle::new(center, r, fill), Circle::new(center, r, stroke)])
                    .map_err(plot_error)?;
            }
            Region::Arc { angle, half_width } => {
                let band = self.band(i, angle, half_width);
                let mut outline = band.clone();
                outline.push(band[0]);
                chart
                    .draw_series(std::iter::once(Polygon::new(
                        band,
                        color.mix(0.55).filled(),
                    )))
                    .map_err(plot_error)?;
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        outline,
                        color.stroke_width(1),
                    )))
                    .map_err(plot_error)?;
            }
            Region::Point(p) => {
                chart
                    .draw_series(std::iter::once(dot(p)))
                    .map_err(plot_error)?;
            }
            Region::Orthant(p) => {
                // The region {y ≥ p}, cut at the view's edge, and its two boundary rays.
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [p, (x.end, y.end)],
                        color.mix(self.orthant_opacity()).filled(),
                    )))
                    .map_err(plot_error)?;
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(x.end, p.1), p, (p.0, y.end)],
                        color.stroke_width(1),
                    )))
                    .map_err(plot_error)?;
                chart
                    .draw_series(std::iter::once(dot(p)))
                    .map_err(plot_error)?;
            }
            Region::Rect { min, max } => {
                chart
                    .draw_series([
                        Rectangle::new([min, max], fill),
                        Rectangle::new([min, max], stroke),
                    ])
                    .map_err(plot_error)?;
            }
            Region::Cone {
                apex,
                half_aperture,
                hyperbolic,
            } => {
                // The wedge between the two boundary rays, closed along the unit circle
                // (hyperbolic) or far outside the view (Euclidean), then cut to the view.
                let axis = apex.1.atan2(apex.0);
                let reach = 4.0 * ((x.end - x.start) + (y.end - y.start) + apex.0.hypot(apex.1));
                let left = cone_ray(apex, axis + half_aperture, hyperbolic, reach);
                let right = cone_ray(apex, axis - half_aperture, hyperbolic, reach);
                let mut wedge = right.clone();
                if hyperbolic {
                    // Along the circle from the right ray's end to the left one's.
                    let (a, b) = (right[right.len() - 1], left[left.len() - 1]);
                    let (from, mut to) = (a.1.atan2(a.0), b.1.atan2(b.0));
                    while to < from {
                        to += 2.0 * PI;
                    }
                    wedge.extend((1..64).map(|k| {
                        let t = from + (to - from) * f64::from(k) / 64.0;
                        (t.cos(), t.sin())
                    }));
                }
                wedge.extend(left.iter().rev());
                let inside = clip_to_view(wedge, x, y);
                if inside.len() >= 3 {
                    chart
                        .draw_series(std::iter::once(Polygon::new(
                            inside,
                            color.mix(self.orthant_opacity()).filled(),
                        )))
                        .map_err(plot_error)?;
                }
                for ray in [left, right] {
                    let paths = clip_path_to_view(&ray, x, y);
                    chart
                        .draw_series(
                            paths
                                .into_iter()
                                .map(|path| PathElement::new(path, color.stroke_width(1))),
                        )
                        .map_err(plot_error)?;
                }
                chart
                    .draw_series(std::iter::once(dot(apex)))
                    .map_err(plot_error)?;
            }
        }
        Ok(())
    }

    /// Draws the label of node `i` unless it would overlap one of the `placed` labels
    /// (pixel boxes `[left, top, right, bottom]`), where it then adds its own.
    fn draw_label(
        &self,
        chart: &mut Chart<'_, '_>,
        i: usize,
        name: &str,
        placed: &mut Vec<[i32; 4]>,
    ) -> Result<()> {
        let is_root = self.subtree.depth[i] == 0;
        let size = if is_root { 18.0 } else { 17.0 };
        let font = if is_root {
            ("sans-serif", size).into_font().style(FontStyle::Bold)
        } else {
            ("sans-serif", size).into_font()
        };
        // Where the label is anchored, how, and its offset in pixels.
        let (at, (h, v), offset) = match self.regions[i] {
            // Above the disc, clear of the discs inside it.
            Region::Disc { center, radius } => (
                (center.0, center.1 + radius),
                (HPos::Center, VPos::Bottom),
                (0, -3),
            ),
            // The root above its box, the children in their top left corner.
            Region::Rect { min, max } if is_root => (
                ((min.0 + max.0) / 2.0, max.1),
                (HPos::Center, VPos::Bottom),
                (0, -3),
            ),
            Region::Rect { min, max } => ((min.0, max.1), (HPos::Left, VPos::Top), (4, 3)),
            Region::Point(p) | Region::Orthant(p) | Region::Cone { apex: p, .. } => {
                (p, (HPos::Left, VPos::Bottom), (6, -4))
            }
            Region::Arc { angle, .. } => {
                // Away from the ring for the children (outwards), towards the centre for
                // the root, which sits inside the circle.
                let r = self.arc_label_radius(i);
                let (c, s) = (angle.cos(), angle.sin());
                // The direction the text extends in, from its anchor.
                let away = if is_root { -1.0 } else { 1.0 };
                let (dx, dy) = (away * c, away * s);
                let h = if dx > 0.35 {
                    HPos::Left
                } else if dx < -0.35 {
                    HPos::Right
                } else {
                    HPos::Center
                };
                // Pixel y grows downwards: text extending up has its bottom at the anchor.
                let v = if dy > 0.35 {
                    VPos::Bottom
                } else if dy < -0.35 {
                    VPos::Top
                } else {
                    VPos::Center
                };
                ((r * c, r * s), (h, v), (0, 0))
            }
        };
        // The text's box, from an average glyph 0.6 em wide (SVG renders plotters' font
        // sizes divided by 1.24).
        let em = size / 1.24;
        let (width, height) = ((0.6 * em * name.chars().count() as f64) as i32, em as i32);
        let anchor = chart.backend_coord(&at);
        let (x, y) = (anchor.0 + offset.0, anchor.1 + offset.1);
        let left = match h {
            HPos::Left => x,
            HPos::Center => x - width / 2,
            HPos::Right => x - width,
        };
        let top = match v {
            VPos::Top => y,
            VPos::Center => y - height / 2,
            VPos::Bottom => y - height,
        };
        let bounds = [left - 2, top - 1, left + width + 2, top + height + 1];
        let overlaps = |b: &[i32; 4]| {
            bounds[0] < b[2] && b[0] < bounds[2] && bounds[1] < b[3] && b[1] < bounds[3]
        };
        if placed.iter().any(overlaps) {
            return Ok(());
        }
        placed.push(bounds);
        let style = font.color(&INK).pos(Pos::new(h, v));
        chart
            .draw_series(std::iter::once(
                EmptyElement::at(at) + Text::new(name.to_string(), offset, style),
            ))
            .map_err(plot_error)?;
        Ok(())
    }
}

type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The chart every picture uses, on `area`.
fn chart_on<'a, 'b>(
    area: &'a DrawingArea<SVGBackend<'b>, plotters::coord::Shift>,
    title: &str,
    x: Range<f64>,
    y: Range<f64>,
) -> Result<Chart<'a, 'b>> {
    ChartBuilder::on(area)
        .caption(title, ("sans-serif", 21))
        .margin(14)
        .x_label_area_size(28)
        .y_label_area_size(48)
        .build_cartesian_2d(x, y)
        .map_err(plot_error)
}

/// The plotting area's size in pixels, from the same layout drawn into a scratch picture.
fn plot_pixels(title: &str) -> Result<(u32, u32)> {
    let mut scratch = String::new();
    let area = SVGBackend::with_string(&mut scratch, SIZE).into_drawing_area();
    let chart = chart_on(&area, title, 0.0..1.0, 0.0..1.0)?;
    Ok(chart.plotting_area().dim_in_pixel())
}

/// `bounds` widened along one axis so one unit is as many pixels on both.
fn equal_aspect(
    (x, y): (Range<f64>, Range<f64>),
    (width, height): (u32, u32),
) -> (Range<f64>, Range<f64>) {
    let (width, height) = (f64::from(width.max(1)), f64::from(height.max(1)));
    let per_pixel = ((x.end - x.start) / width).max((y.end - y.start) / height);
    let widen = |r: Range<f64>, pixels: f64| {
        let (middle, half) = ((r.start + r.end) / 2.0, per_pixel * pixels / 2.0);
        middle - half..middle + half
    };
    (widen(x, width), widen(y, height))
}

/// The stretches of `curve` inside the view (each at least two points).
fn inside_runs(
    curve: impl Iterator<Item = (f64, f64)>,
    x: &Range<f64>,
    y: &Range<f64>,
) -> Vec<Vec<(f64, f64)>> {
    let mut runs = vec![Vec::new()];
    for p in curve {
        if x.contains(&p.0) && y.contains(&p.1) {
            runs.last_mut().expect("never empty").push(p);
        } else if !runs.last().expect("never empty").is_empty() {
            runs.push(Vec::new());
        }
    }
    runs.retain(|run| run.len() >= 2);
    runs
}

/// A tick's value on an axis spanning `span` with about five ticks: one digit finer than
/// the ticks' step, trailing zeros dropped, and never `-0`.
fn tick_label(value: f64, span: f64) -> String {
    let decimals = (1.0 - (span / 5.0).log10().floor()).clamp(0.0, 12.0) as usize;
    let text = format!("{value:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        &text
    };
    match text {
        "-0" => "0".to_string(),
        _ => text.to_string(),
    }
}

/// The colour of `depth` on the ramp, from the lightest (depth 0) to the darkest (`deepest`).
fn depth_color(depth: usize, deepest: usize) -> RGBColor {
    let t = if deepest == 0 {
        0.5
    } else {
        depth as f64 / deepest as f64
    };
    let scaled = t * (RAMP.len() - 1) as f64;
    let k = (scaled.floor() as usize).min(RAMP.len() - 2);
    let f = scaled - k as f64;
    let (a, b) = (RAMP[k], RAMP[k + 1]);
    let mix = |p: u8, q: u8| (f64::from(p) + f * (f64::from(q) - f64::from(p))).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// A WordNet synset's lemma without its part of speech and sense, words apart
/// (`toy_dog.n.01` → `toy dog`); other names as they are.
fn short_name(name: &str) -> String {
    match name.rsplit_once(".n.") {
        Some((lemma, sense))
            if !lemma.is_empty()
                && !sense.is_empty()
                && sense.bytes().all(|b| b.is_ascii_digit()) =>
        {
            lemma.replace('_', " ")
        }
        _ => name.to_string(),
    }
}

fn plot_error(e: impl std::fmt::Display) -> Error {
    Error::EmptyData {
        file: "drawing".into(),
        message: format!("cannot draw a picture ({e})"),
    }
}
