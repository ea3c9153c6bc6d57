//! Property and reference tests of the library, in one test binary.

mod balls;
mod baselines;
mod cases;
mod dispersion;
mod evaluation;
mod gradients;
mod hierarchy;
mod invariance;
mod known;
mod negatives;
mod optim;
mod oracle;
mod protocol;
mod sphere;
mod spherex;
mod tammes;
mod threads;
