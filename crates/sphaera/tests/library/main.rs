//! Property and reference tests of the library, in one test binary.

mod balls;
mod cases;
mod cone_baselines;
mod dispersion;
mod drawing;
mod evaluation;
mod gradients;
mod hierarchy;
mod invariance;
mod known;
mod negatives;
mod optim;
mod oracle;
mod order_box_baselines;
mod point_baselines;
mod precision;
mod protocol;
mod sphere;
mod spherex;
mod tammes;
mod threads;
