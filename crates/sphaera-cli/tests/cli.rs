//! The `sphaera` binary as users drive it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use npyz::WriterBuilder;
use serde_json::Value;

fn sphaera(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sphaera"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// Runs with `--json` and parses the one object it prints.
fn json(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    let out = sphaera(&all);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

fn number(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} missing in {v}"))
}

/// Writes a C-order array of `shape` with element type `T` to `path`.
fn write_npy<T: npyz::Serialize + npyz::AutoSerialize + Copy>(
    path: &Path,
    shape: &[u64],
    values: &[T],
) {
    let file = std::fs::File::create(path).unwrap();
    let mut writer = npyz::WriteOptions::new()
        .default_dtype()
        .shape(shape)
        .writer(file)
        .begin_nd()
        .unwrap();
    writer.extend(values.iter().copied()).unwrap();
    writer.finish().unwrap();
}

fn read_npy_f32(path: &Path) -> (Vec<u64>, Vec<f32>) {
    let bytes = std::fs::read(path).unwrap();
    let file = npyz::NpyFile::new(&bytes[..]).unwrap();
    let shape = file.shape().to_vec();
    (shape, file.into_vec::<f32>().unwrap())
}

/// A deterministic table of `n × dim` values, none of them a zero row.
fn table(n: usize, dim: usize) -> Vec<f64> {
    (0..n * dim)
        .map(|k| ((k * 7919 % 1000) as f64 / 500.0) - 0.999)
        .collect()
}

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn the_default_job_disperses_24_points_and_reports_the_gap() {
    let out = sphaera(&["disperse"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("dispersed 24 points on S^2"), "{text}");
    assert!(text.contains("best known 43.6908°"), "{text}");
    assert!(text.contains("gap"), "{text}");
}

#[test]
fn json_reports_the_figures_and_the_best_known_answer() {
    let v = json(&["disperse"]);
    for key in [
        "n",
        "dim",
        "method",
        "steps",
        "seconds",
        "min_angle_deg",
        "mean_nn_angle_deg",
        "circular_variance",
        "best_known_deg",
        "gap_deg",
    ] {
        assert!(!v[key].is_null(), "{key} missing in {v}");
    }
    assert_eq!((v["n"].as_u64(), v["dim"].as_u64()), (Some(24), Some(3)));
    assert!((number(&v, "best_known_deg") - 43.6907671).abs() < 1e-9);
    // The default method, mma, reaches the best-known configuration.
    assert!(number(&v, "gap_deg") < 0.01, "{v}");
    let none = json(&["disperse", "--n", "24", "--dim", "5", "--steps", "10"]);
    assert!(
        none["best_known_deg"].is_null(),
        "no table entry for 24 points in R^5"
    );
}

#[test]
fn riesz_energy_reaches_the_thomson_optimum() {
    // The minimum of Σ 1/‖x_i − x_j‖ for 24 points is 223.347074 (the Thomson problem, a snub
    // cube); its minimum angle is 42.07°, below the Tammes optimum 43.69°.
    let v = json(&[
        "disperse", "--n", "24", "--dim", "3", "--method", "mmd", "--kernel", "riesz", "--s", "1",
    ]);
    assert!(
        (number(&v, "riesz_energy") - 223.347074).abs() < 1e-5,
        "{v}"
    );
    assert!((number(&v, "min_angle_deg") - 42.065).abs() < 0.01, "{v}");
}

#[test]
fn every_method_runs_with_its_defaults_and_spreads_the_points() {
    let start = number(&json(&["disperse", "--steps", "0"]), "min_angle_deg");
    for method in [
        "mmd",
        "uniformity",
        "mhe",
        "mma",
        "mmcs",
        "koleo",
        "lloyd",
        "sliced",
        "sliced-axis",
        "ssw",
    ] {
        let v = json(&["disperse", "--method", method]);
        assert_eq!(v["method"], method);
        assert!(
            number(&v, "min_angle_deg") > 1.5 * start,
            "{method}: {start}° → {v}"
        );
    }
    for extra in [["--kernel", "laplace"], ["--distance", "geodesic"]] {
        let v = json(&["disperse", "--method", "mmd", extra[0], extra[1]]);
        assert!(number(&v, "min_angle_deg") > 1.5 * start);
    }
}

#[test]
fn an_existing_table_is_read_dispersed_and_written_as_float32() {
    let dir = temp();
    let (input, output) = (dir.path().join("in.npy"), dir.path().join("out.npy"));
    write_npy(&input, &[30, 5], &table(30, 5));
    let v = json(&[
        "disperse",
        "--init",
        input.to_str().unwrap(),
        "--steps",
        "200",
        "--out",
        output.to_str().unwrap(),
    ]);
    assert_eq!((v["n"].as_u64(), v["dim"].as_u64()), (Some(30), Some(5)));
    let (shape, values) = read_npy_f32(&output);
    assert_eq!(shape, [30, 5]);
    for row in values.chunks(5) {
        let norm: f32 = row.iter().map(|v| v * v).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-6);
    }
    // The file holds the configuration reported.
    let points: Vec<f64> = values.iter().map(|&v| f64::from(v)).collect();
    let mut min = f64::INFINITY;
    for i in 0..30 {
        for j in 0..i {
            let c: f64 = (0..5).map(|k| points[i * 5 + k] * points[j * 5 + k]).sum();
            min = min.min(c.clamp(-1.0, 1.0).acos().to_degrees());
        }
    }
    assert!(
        (min - number(&v, "min_angle_deg")).abs() < 1e-3,
        "{min} vs {v}"
    );
    // float32 input works too, and an anchored run stays near its start.
    let input32 = dir.path().join("in32.npy");
    let as_f32: Vec<f32> = table(30, 5).iter().map(|&v| v as f32).collect();
    write_npy(&input32, &[30, 5], &as_f32);
    let held = json(&[
        "disperse",
        "--init",
        input32.to_str().unwrap(),
        "--anchor-weight",
        "100",
        "--steps",
        "300",
    ]);
    let free = json(&[
        "disperse",
        "--init",
        input32.to_str().unwrap(),
        "--steps",
        "300",
    ]);
    assert!(number(&held, "final_anchor") < 0.01, "{held}");
    assert!(number(&held, "min_angle_deg") < number(&free, "min_angle_deg"));
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let dir = temp();
    let outputs: Vec<PathBuf> = (1..=2)
        .map(|t| dir.path().join(format!("t{t}.npy")))
        .collect();
    for (threads, out) in ["1", "2"].iter().zip(&outputs) {
        let args = [
            "disperse",
            "--n",
            "600",
            "--dim",
            "8",
            "--method",
            "mmd",
            "--steps",
            "20",
            "--threads",
            threads,
            "--out",
            out.to_str().unwrap(),
        ];
        assert!(sphaera(&args).status.success());
    }
    assert_eq!(
        std::fs::read(&outputs[0]).unwrap(),
        std::fs::read(&outputs[1]).unwrap()
    );
}

#[test]
fn twenty_thousand_points_never_hold_an_n_by_n_matrix() {
    // One 20000 × 20000 float32 matrix would take 1.6 GB.
    let v = json(&[
        "disperse", "--n", "20000", "--dim", "64", "--method", "mmd", "--steps", "2",
    ]);
    let peak = number(&v, "peak_rss_mb");
    assert!(peak < 200.0, "peak resident memory {peak} MB");
}

/// Runs a command that must fail: exit code 2, one line on stderr containing `expected`,
/// and no output file.
fn refused(args: &[&str], expected: &str) {
    let dir = temp();
    let out_file = dir.path().join("out.npy");
    let mut all = args.to_vec();
    all.extend(["--out", out_file.to_str().unwrap()]);
    let out = sphaera(&all);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "{args:?}: one line, got {stderr:?}"
    );
    assert!(
        stderr.contains(expected),
        "{args:?}: {stderr:?} should mention {expected:?}"
    );
    assert!(!out_file.exists(), "{args:?} left an output file");
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "{args:?} left a temporary file"
    );
}

#[test]
fn bad_parameters_are_refused_in_one_line() {
    refused(&["disperse", "--method", "bogus"], "bogus");
    refused(&["disperse", "--n", "1"], "--n must be at least 2");
    refused(&["disperse", "--dim", "1"], "--dim must be at least 2");
    refused(&["disperse", "--n", "-3"], "-3");
    refused(
        &["disperse", "--method", "mmd", "--gamma", "-1"],
        "gamma must be positive",
    );
    refused(&["disperse", "--method", "mmd", "--gamma", "NaN"], "gamma");
    refused(
        &[
            "disperse", "--method", "mmd", "--kernel", "riesz", "--s", "inf",
        ],
        "--s must be finite",
    );
    refused(
        &["disperse", "--method", "uniformity", "--t", "0"],
        "--t must be positive",
    );
    refused(
        &["disperse", "--method", "lloyd", "--samples", "0"],
        "samples",
    );
    refused(
        &["disperse", "--method", "sliced", "--slices", "0"],
        "slices",
    );
    refused(&["disperse", "--lr", "0"], "lr must be positive");
    refused(&["disperse", "--lr", "-inf"], "lr");
    refused(
        &["disperse", "--optimizer", "sgd", "--momentum", "-1"],
        "momentum",
    );
    refused(&["disperse", "--anchor-weight", "-2"], "--anchor-weight");
    refused(&["disperse", "--threads", "0"], "--threads");
    refused(&["disperse", "--steps", "many"], "many");
}

#[test]
fn bad_files_are_refused_naming_the_file_and_the_problem() {
    let dir = temp();
    let path = |name: &str| dir.path().join(name);
    let arg = |p: &PathBuf| p.to_str().unwrap().to_string();
    refused(
        &["disperse", "--init", &arg(&path("missing.npy"))],
        "missing.npy",
    );
    std::fs::write(path("text.npy"), "not numpy at all").unwrap();
    refused(
        &["disperse", "--init", &arg(&path("text.npy"))],
        "not a valid .npy",
    );
    write_npy(&path("cube.npy"), &[2, 3, 4], &[0.5f64; 24]);
    refused(&["disperse", "--init", &arg(&path("cube.npy"))], "2-D");
    write_npy(&path("ints.npy"), &[4, 3], &[1i32; 12]);
    refused(
        &["disperse", "--init", &arg(&path("ints.npy"))],
        "float32 or float64",
    );
    write_npy(&path("whole.npy"), &[10, 3], &table(10, 3));
    let bytes = std::fs::read(path("whole.npy")).unwrap();
    std::fs::write(path("cut.npy"), &bytes[..bytes.len() - 20]).unwrap();
    refused(&["disperse", "--init", &arg(&path("cut.npy"))], "truncated");
    let mut values = table(10, 3);
    values[3 * 3 + 1] = f64::NAN;
    write_npy(&path("nan.npy"), &[10, 3], &values);
    refused(
        &["disperse", "--init", &arg(&path("nan.npy"))],
        "row 3 has a non-finite value",
    );
    let mut values = table(10, 3);
    values[6 * 3..7 * 3].fill(0.0);
    write_npy(&path("zero.npy"), &[10, 3], &values);
    refused(
        &["disperse", "--init", &arg(&path("zero.npy"))],
        "row 6 is zero",
    );
    write_npy(&path("one.npy"), &[1, 3], &[1.0f64, 0.0, 0.0]);
    refused(
        &["disperse", "--init", &arg(&path("one.npy"))],
        "--n must be at least 2",
    );
    refused(
        &["disperse", "--init", &arg(&path("whole.npy")), "--n", "7"],
        "disagrees",
    );
    let out = sphaera(&["disperse", "--out", &arg(&path("no/such/dir/out.npy"))]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));
}

#[test]
fn help_and_version_succeed() {
    for args in [&["--help"][..], &["disperse", "--help"], &["--version"]] {
        let out = sphaera(args);
        assert!(out.status.success(), "{args:?}");
        assert!(!out.stdout.is_empty());
    }
}
