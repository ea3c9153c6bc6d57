//! The link-prediction protocol through the library alone: the published mammal figures,
//! checkpoints, and the split directory.

use std::num::NonZeroU64;

use sphaera::data::{mammals, split, Hierarchy, Split, MAMMALS_SOURCE};
use sphaera::hierarchy::{
    evaluate, Balls, Checkpoint, Protocol, Regime, Run, Schedule, SpherexConfig, Summary, Task,
};

fn mammal_hierarchy() -> Hierarchy {
    Hierarchy::from_edge_list(&mammals()).unwrap()
}

/// One run of the mammal table of BENCHMARKS.md: 200 epochs, validation every 10.
fn mammal_run(dim: usize, regime: Regime, percent: f64, seed: u64) -> (Summary, Balls) {
    let h = mammal_hierarchy();
    let protocol = Protocol::Split { percent };
    let task = Task::new(&h, MAMMALS_SOURCE, protocol, regime, None, seed).unwrap();
    let config = SpherexConfig {
        dim,
        seed,
        ..SpherexConfig::default()
    };
    let schedule = Schedule {
        epochs: 200,
        eval_every: NonZeroU64::new(10).unwrap(),
    };
    let mut run = Run::<Balls>::new(&task, config, schedule).unwrap();
    while !run.is_done() {
        run.epoch().unwrap();
    }
    run.finish()
}

/// The cell of BENCHMARKS.md's mammal link-prediction table for `dim`, `regime`, `percent`.
fn published_cell(dim: usize, regime: &str, percent: u32) -> String {
    let text = include_str!("../../../../BENCHMARKS.md");
    let section = &text[text.find("### Mammals").unwrap()..text.find("### Nouns").unwrap()];
    let header = section
        .lines()
        .find(|l| l.starts_with("| d | regime |"))
        .unwrap();
    let column = header
        .split('|')
        .position(|c| c.trim() == format!("{percent}%"))
        .unwrap();
    let row = section
        .lines()
        .find(|l| l.starts_with(&format!("| {dim} | {regime} |")))
        .unwrap();
    row.split('|').nth(column).unwrap().trim().to_string()
}

#[test]
fn the_mammal_link_prediction_figure_of_the_benchmarks_is_reproduced() {
    for (regime, name) in [
        (Regime::Published, "published"),
        (Regime::ClosureAware, "closure-aware"),
    ] {
        let f1: Vec<f64> = (0..3)
            .map(|seed| {
                100.0
                    * mammal_run(10, regime, 25.0, seed)
                        .0
                        .best
                        .unwrap()
                        .figures
                        .test_f1
            })
            .collect();
        let mean = f1.iter().sum::<f64>() / 3.0;
        let sd = (f1.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 2.0).sqrt();
        assert_eq!(
            format!("{mean:.1} ± {sd:.1}"),
            published_cell(10, name, 25),
            "d = 10, {name}, 25%: seeds {f1:?}"
        );
    }
}

#[test]
fn the_kept_model_scores_the_figures_of_its_epoch_and_a_resumed_run_ends_the_same() {
    let h = mammal_hierarchy();
    let made = split(&h, 10.0, 4).unwrap();
    let dir = tempfile::tempdir().unwrap();
    made.write_dir(dir.path()).unwrap();
    let read = Split::read_dir(dir.path(), &h).unwrap();
    let protocol: Protocol = "split:10".parse().unwrap();
    let task = Task::link_prediction(read.clone(), protocol, Regime::Published, "m").unwrap();
    let config = SpherexConfig {
        dim: 4,
        ..SpherexConfig::default()
    };
    let schedule = Schedule {
        epochs: 12,
        eval_every: NonZeroU64::new(3).unwrap(),
    };
    let mut straight = Run::<Balls>::new(&task, config.clone(), schedule).unwrap();
    let mut halfway = None;
    while !straight.is_done() {
        let report = straight.epoch().unwrap();
        assert_eq!(report.evaluation.is_some(), report.epoch % 3 == 0);
        if report.epoch == 6 {
            let path = dir.path().join("ck.json");
            straight.checkpoint().save(&path).unwrap();
            halfway = Some(Checkpoint::<Balls>::load(&path).unwrap());
        }
    }
    let (summary, kept) = straight.finish();
    let best = summary.best.unwrap();
    assert_eq!(best.epoch % 3, 0);

    // The kept model, evaluated afresh by name, gives the figures of its epoch.
    let evaluated = evaluate(&kept, read.hierarchy.names(), &h, Some(&read)).unwrap();
    assert_eq!(evaluated.link_prediction, Some(best.figures));

    let checkpoint = halfway.unwrap();
    assert_eq!(checkpoint.epochs(), 6);
    let mut resumed = Run::<Balls>::resume(&task, checkpoint, config.clone(), schedule).unwrap();
    while !resumed.is_done() {
        resumed.epoch().unwrap();
    }
    let (again, kept_again) = resumed.finish();
    assert_eq!(again.best, summary.best);
    assert_eq!(kept_again, kept);

    // A checkpoint of other settings is refused.
    let other = SpherexConfig { lr: 0.02, ..config };
    let checkpoint = Checkpoint::<Balls>::load(&dir.path().join("ck.json")).unwrap();
    assert!(Run::<Balls>::resume(&task, checkpoint, other, schedule).is_err());
}

#[test]
fn summaries_are_flat_json_with_the_figures_of_their_protocol() {
    let h = mammal_hierarchy();
    let task = Task::new(
        &h,
        "m",
        Protocol::Reconstruction,
        Regime::default(),
        None,
        0,
    )
    .unwrap();
    let config = SpherexConfig {
        dim: 3,
        ..SpherexConfig::default()
    };
    let schedule = Schedule {
        epochs: 2,
        eval_every: NonZeroU64::new(1).unwrap(),
    };
    let mut run = Run::<Balls>::new(&task, config, schedule).unwrap();
    while !run.is_done() {
        run.epoch().unwrap();
    }
    let (summary, _) = run.finish();
    let json = serde_json::to_value(&summary).unwrap();
    assert_eq!(json["protocol"], "reconstruction");
    assert!(json["map"].is_number() && json["mean_rank"].is_number());
    assert!(json.get("test_f1").is_none() && json.get("regime").is_none());
    let back: Summary = serde_json::from_value(json).unwrap();
    assert_eq!(back, summary);
}
