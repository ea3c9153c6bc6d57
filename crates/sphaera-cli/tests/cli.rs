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

/// The installed WordNet database, when there is one (CI installs it and sets
/// `SPHAERA_REQUIRE_WORDNET`, so there these tests never skip).
fn wordnet_installed() -> bool {
    let present = Path::new("/usr/share/wordnet/data.noun").exists();
    if !present && std::env::var_os("SPHAERA_REQUIRE_WORDNET").is_some() {
        panic!("SPHAERA_REQUIRE_WORDNET is set but /usr/share/wordnet/data.noun is missing");
    }
    if !present {
        eprintln!("skipped: no WordNet database (apt-get install wordnet-base)");
    }
    present
}

fn line_count(path: &Path) -> usize {
    std::fs::read_to_string(path).unwrap().lines().count()
}

#[test]
fn wordnet_closures_have_the_published_counts() {
    if !wordnet_installed() {
        return;
    }
    let dir = temp();
    let nouns = dir.path().join("nouns.tsv");
    let v = json(&["data", "wordnet", "--out", nouns.to_str().unwrap()]);
    assert_eq!(
        (v["nodes"].as_u64(), v["edges"].as_u64()),
        (Some(82_115), Some(743_241))
    );
    assert_eq!(line_count(&nouns), 743_241);
    let mammal = dir.path().join("mammal.tsv");
    let v = json(&[
        "data",
        "wordnet",
        "--root",
        "mammal.n.01",
        "--out",
        mammal.to_str().unwrap(),
    ]);
    assert_eq!(
        (v["nodes"].as_u64(), v["edges"].as_u64()),
        (Some(1_182), Some(6_542))
    );
    // The embedded default is this very file.
    let written = std::fs::read_to_string(&mammal).unwrap();
    let embedded: Vec<(String, String)> = sphaera::data::mammals().edges;
    let lines: Vec<(String, String)> = written
        .lines()
        .map(|l| {
            l.split_once('\t')
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .unwrap()
        })
        .collect();
    assert_eq!(lines, embedded);
    // Ganea et al.'s noun split, from the command.
    let out = dir.path().join("split");
    let v = json(&[
        "data",
        "split",
        "--edges",
        nouns.to_str().unwrap(),
        "--percent",
        "25",
        "--out",
        out.to_str().unwrap(),
    ]);
    let expected = [
        ("closure_edges", 661_127),
        ("basic_edges", 84_363),
        ("valid", 28_838),
        ("test", 28_838),
        ("valid_neg", 288_380),
        ("test_neg", 288_380),
        ("train", 228_554),
    ];
    for (key, count) in expected {
        assert_eq!(v[key].as_u64(), Some(count), "{key}");
    }
    for (file, count) in [
        ("train.tsv", 228_554),
        ("valid.tsv", 28_838),
        ("valid_neg.tsv", 288_380),
        ("test.tsv", 28_838),
        ("test_neg.tsv", 288_380),
    ] {
        assert_eq!(line_count(&out.join(file)), count, "{file}");
    }
}

#[test]
fn the_default_split_is_of_the_embedded_mammals() {
    let dir = temp();
    let out = dir.path().join("split");
    let v = json(&[
        "data",
        "split",
        "--percent",
        "10",
        "--seed",
        "3",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        (
            v["closure_edges"].as_u64(),
            v["basic_edges"].as_u64(),
            v["test"].as_u64()
        ),
        (Some(5361), Some(1176), Some(209))
    );
    assert_eq!(line_count(&out.join("train.tsv")), 1176 + 418);
    assert_eq!(line_count(&out.join("test_neg.tsv")), 2090);
    let again = dir.path().join("again");
    json(&[
        "data",
        "split",
        "--percent",
        "10",
        "--seed",
        "3",
        "--out",
        again.to_str().unwrap(),
    ]);
    for file in [
        "train.tsv",
        "valid.tsv",
        "valid_neg.tsv",
        "test.tsv",
        "test_neg.tsv",
    ] {
        assert_eq!(
            std::fs::read(out.join(file)).unwrap(),
            std::fs::read(again.join(file)).unwrap(),
            "{file}"
        );
    }
    // Any edge list works, duplicates and self loops noted on stderr.
    let edges = dir.path().join("toy.tsv");
    let toy: String = (1..40)
        .map(|i| format!("n{i}\tn{}\n", i / 2))
        .collect::<String>()
        + "n3\tn1\nn5\tn5\n";
    std::fs::write(&edges, toy).unwrap();
    let out = sphaera(&[
        "data",
        "split",
        "--edges",
        edges.to_str().unwrap(),
        "--percent",
        "0",
        "--out",
        dir.path().join("toy").to_str().unwrap(),
    ]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("dropped 1 duplicate edge(s) and 1 self loop(s)"));
}

/// A tiny WordNet database: entity, and two synsets below it.
fn tiny_dict(dir: &Path, data_noun: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("data.noun"), data_noun).unwrap();
    let index = "  1 a license line\nabstraction n 1 1 @ 1 0 00002137  \nentity n 1 1 ~ 1 0 00001740  \nthing n 1 1 @ 1 0 00002452  \nobject n 1 1 @ 1 0 00002452  \n";
    std::fs::write(dir.join("index.noun"), index).unwrap();
}

const TINY_DATA: &str = "  1 a license line\n00001740 03 n 01 entity 0 000 | that which exists\n00002137 03 n 01 abstraction 0 001 @ 00001740 n 0000 | a concept\n00002452 03 n 02 Thing 0 object 0 001 @ 00001740 n 0000 | a separate entity\n";

#[test]
fn a_small_database_names_synsets_as_nltk_does() {
    let dir = temp();
    let dict = dir.path().join("dict");
    tiny_dict(&dict, TINY_DATA);
    let out = dir.path().join("c.tsv");
    let v = json(&[
        "data",
        "wordnet",
        "--dict",
        dict.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(v["edges"].as_u64(), Some(2));
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "abstraction.n.01\tentity.n.01\nthing.n.01\tentity.n.01\n"
    );
}

/// Runs a data command that must fail: exit code 2, one line on stderr containing
/// `expected`, and nothing left in `dir`'s output folder.
fn refused_data(args: &[&str], expected: &str, out_dir: &Path) {
    let out = sphaera(args);
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
    let left = std::fs::read_dir(out_dir).map(|d| d.count()).unwrap_or(0);
    assert_eq!(left, 0, "{args:?} left output behind");
}

#[test]
fn bad_hierarchy_input_is_refused_in_one_line() {
    let dir = temp();
    let out = dir.path().join("out");
    let file = |name: &str, text: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let outs = out.to_str().unwrap();
    let split = |edges: &str| {
        vec![
            "data",
            "split",
            "--edges",
            edges,
            "--percent",
            "10",
            "--out",
            outs,
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>()
    };
    let run = |args: Vec<String>, expected: &str| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        refused_data(&args, expected, &out);
    };
    run(
        split(&file("one.tsv", b"a\tb\nc\n")),
        "one.tsv:2: expected child<TAB>parent, found one column",
    );
    run(
        split(&file("cycle.tsv", b"a\tb\nb\tc\nc\ta\n")),
        "cycle: a -> b -> c -> a",
    );
    run(split(&file("empty.tsv", b"")), "empty.tsv: no edges");
    run(
        split(&file("latin.tsv", b"a\tb\nd\xe9j\xe0\tb\n")),
        "latin.tsv:2: not UTF-8",
    );
    run(
        split(&dir.path().join("missing.tsv").to_string_lossy()),
        "missing.tsv",
    );
    let mut bad_percent = split(&file("ok.tsv", b"a\tb\n"));
    bad_percent[5] = "95".into();
    run(bad_percent, "--percent must be between 0 and 90");

    let dict = dir.path().join("dict");
    let out_file = out.join("c.tsv");
    std::fs::create_dir_all(&out).unwrap();
    let wordnet = |extra: &[&str]| {
        let mut args = vec![
            "data",
            "wordnet",
            "--dict",
            dict.to_str().unwrap(),
            "--out",
            out_file.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        args.into_iter().map(String::from).collect::<Vec<_>>()
    };
    tiny_dict(&dict, &TINY_DATA.replace(" | a concept", ""));
    run(wordnet(&[]), "data.noun:3: truncated synset line");
    tiny_dict(
        &dict,
        &TINY_DATA.replace(
            "001 @ 00001740 n 0000 | a concept",
            "002 @ 00001740 n 0000 | a concept",
        ),
    );
    run(
        wordnet(&[]),
        "data.noun:3: truncated synset line: missing pointer symbol",
    );
    tiny_dict(&dict, TINY_DATA);
    run(
        wordnet(&["--root", "unicorn.n.01"]),
        "--root: no synset unicorn.n.01",
    );
    std::fs::remove_dir_all(&dict).unwrap();
    run(wordnet(&[]), "cannot read");
}

#[test]
fn hierarchy_train_and_eval_reconstruct_the_mammals() {
    let dir = temp();
    let model = dir.path().join("m.safetensors");
    // The defaults: d = 10, 150 epochs.
    let v = json(&["hierarchy", "train", "--out", model.to_str().unwrap()]);
    for key in ["map", "mean_rank", "seconds", "seconds_per_epoch"] {
        assert!(!v[key].is_null(), "{key} missing in {v}");
    }
    assert!(number(&v, "map") >= 0.999, "{v}");
    let e = json(&["hierarchy", "eval", "--model-file", model.to_str().unwrap()]);
    assert_eq!(
        number(&e, "map"),
        number(&v, "map"),
        "the saved model is the trained one"
    );
    let s = json(&[
        "hierarchy",
        "train",
        "--protocol",
        "split:25",
        "--epochs",
        "60",
    ]);
    for key in ["valid_f1", "test_f1", "test_auroc", "test_ap", "best_epoch"] {
        assert!(!s[key].is_null(), "{key} missing in {s}");
    }
    assert!(number(&s, "test_f1") > 0.5, "{s}");
    // Caps, the spherical variant, through the same commands.
    let caps = json(&[
        "hierarchy",
        "train",
        "--model",
        "caps",
        "--epochs",
        "100",
        "--out",
        model.to_str().unwrap(),
    ]);
    assert_eq!(caps["model"], "caps");
    assert!(number(&caps, "map") > 0.99, "{caps}");
    let e = json(&["hierarchy", "eval", "--model-file", model.to_str().unwrap()]);
    assert_eq!(
        number(&e, "map"),
        number(&caps, "map"),
        "the saved caps are the trained ones"
    );
}

#[test]
fn a_killed_and_resumed_run_ends_with_the_same_model() {
    let dir = temp();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let base = [
        "hierarchy",
        "train",
        "--dim",
        "4",
        "--protocol",
        "split:10",
        "--eval-every",
        "2",
    ];
    let run = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        json(&args)
    };
    let straight = run(&["--epochs", "10", "--out", &path("straight.safetensors")]);
    // Stopped after 5 epochs (its last checkpoint), then resumed to 10.
    run(&[
        "--epochs",
        "5",
        "--checkpoint",
        &path("ck.json"),
        "--checkpoint-every",
        "5",
    ]);
    let resumed = run(&[
        "--epochs",
        "10",
        "--resume",
        &path("ck.json"),
        "--out",
        &path("resumed.safetensors"),
    ]);
    let same = std::fs::read(path("straight.safetensors")).unwrap()
        == std::fs::read(path("resumed.safetensors")).unwrap();
    assert!(same, "the resumed model differs from the uninterrupted one");
    assert_eq!(straight["test_f1"], resumed["test_f1"]);
    assert_eq!(straight["best_epoch"], resumed["best_epoch"]);
}

#[test]
fn bad_hierarchy_training_input_is_refused_in_one_line() {
    let dir = temp();
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let model = out.join("m.safetensors");
    let run = |args: &[&str], expected: &str| refused_data(args, expected, &out);
    run(
        &[
            "hierarchy",
            "train",
            "--dim",
            "0",
            "--out",
            model.to_str().unwrap(),
        ],
        "invalid value '0' for '--dim <DIM>'",
    );
    run(
        &["hierarchy", "train", "--protocol", "split:95"],
        "'--protocol <PROTOCOL>': protocol must be reconstruction or split:P",
    );
    run(
        &["hierarchy", "train", "--lr", "-1", "--epochs", "1"],
        "lr must be positive",
    );
    let junk = dir.path().join("junk.json");
    std::fs::write(&junk, "{\"not\": \"a checkpoint\"}").unwrap();
    run(
        &[
            "hierarchy",
            "train",
            "--resume",
            junk.to_str().unwrap(),
            "--out",
            model.to_str().unwrap(),
        ],
        "not a valid checkpoint",
    );
    let fake = dir.path().join("fake.safetensors");
    std::fs::write(&fake, b"definitely not safetensors").unwrap();
    run(
        &["hierarchy", "eval", "--model-file", fake.to_str().unwrap()],
        "not a safetensors file",
    );
    // A model of the toy hierarchy cannot score the mammals.
    let toy = dir.path().join("toy.tsv");
    std::fs::write(&toy, "dog\tanimal\ncat\tanimal\n").unwrap();
    let toy_model = dir.path().join("toy.safetensors");
    json(&[
        "hierarchy",
        "train",
        "--edges",
        toy.to_str().unwrap(),
        "--epochs",
        "3",
        "--out",
        toy_model.to_str().unwrap(),
    ]);
    let mammals = dir.path().join("mammal.tsv");
    std::fs::write(&mammals, "dog\tanimal\nwhale\tanimal\n").unwrap();
    run(
        &[
            "hierarchy",
            "eval",
            "--model-file",
            toy_model.to_str().unwrap(),
            "--edges",
            mammals.to_str().unwrap(),
        ],
        "node whale is not in the model",
    );
    let split = dir.path().join("split");
    json(&[
        "data",
        "split",
        "--edges",
        toy.to_str().unwrap(),
        "--percent",
        "0",
        "--out",
        split.to_str().unwrap(),
    ]);
    std::fs::write(split.join("valid.tsv"), "dog\tunicorn\n").unwrap();
    run(
        &[
            "hierarchy",
            "train",
            "--edges",
            toy.to_str().unwrap(),
            "--protocol",
            "split:0",
            "--split",
            split.to_str().unwrap(),
        ],
        "valid.tsv:1: unknown node unicorn",
    );
}

#[test]
fn bench_step_reports_the_median_step_and_peak_memory() {
    let v = json(&[
        "bench",
        "step",
        "--method",
        "mmd",
        "--n",
        "600",
        "--dim",
        "16",
        "--steps",
        "3",
        "--threads",
        "2",
    ]);
    assert_eq!(v["method"], "mmd");
    assert_eq!(v["threads"], 2);
    let (min, median, max) = (
        number(&v, "min_seconds"),
        number(&v, "median_seconds"),
        number(&v, "max_seconds"),
    );
    assert!(0.0 < min && min <= median && median <= max, "{v}");
    assert!(number(&v, "peak_rss_mb") > 0.0);
    for (args, expected) in [
        (
            &["--method", "mma", "--n", "1"][..],
            "--n must be at least 2",
        ),
        (&["--method", "mma", "--steps", "0"][..], "--steps"),
        (
            &["--method", "mmd", "--gamma", "0"][..],
            "gamma must be positive",
        ),
        (&["--method", "bogus"][..], "bogus"),
    ] {
        let mut all = vec!["bench", "step"];
        all.extend_from_slice(args);
        let out = sphaera(&all);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains(expected),
            "{stderr:?} should mention {expected:?}"
        );
    }
}

fn read_npy_f64(path: &Path) -> (Vec<u64>, Vec<f64>) {
    let bytes = std::fs::read(path).unwrap();
    let file = npyz::NpyFile::new(&bytes[..]).unwrap();
    let shape = file.shape().to_vec();
    (shape, file.into_vec::<f64>().unwrap())
}

#[test]
fn tammes_writes_the_configuration_it_reports() {
    let dir = temp();
    let out = dir.path().join("code.npy");
    let v = json(&[
        "tammes",
        "--n",
        "12",
        "--restarts",
        "16",
        "--hops",
        "4",
        "--out",
        out.to_str().unwrap(),
    ]);
    // The icosahedron: arctan 2 = 63.4349488°, 30 edges.
    assert!(
        (number(&v, "min_angle_deg") - 63.434_948_822_922).abs() < 1e-6,
        "{v}"
    );
    assert!(number(&v, "gap_deg").abs() < 1e-6);
    assert_eq!(v["contacts"], 30);
    let (shape, values) = read_npy_f64(&out);
    assert_eq!(shape, [12, 3]);
    let mut largest: f64 = -1.0;
    for i in 0..12 {
        for j in i + 1..12 {
            let c: f64 = (0..3).map(|k| values[3 * i + k] * values[3 * j + k]).sum();
            largest = largest.max(c);
        }
    }
    let angle = largest.acos().to_degrees();
    assert!(
        (angle - number(&v, "min_angle_deg")).abs() < 1e-9,
        "{angle}"
    );
}

#[test]
fn bad_tammes_input_is_refused_in_one_line() {
    refused(&["tammes", "--n", "1"], "n must be at least 2");
    refused(
        &["tammes", "--n", "5", "--dim", "1"],
        "dim must be at least 2",
    );
    refused(&["tammes", "--n", "5", "--restarts", "0"], "restarts");
    refused(
        &["tammes", "--n", "5", "--time-limit", "-1"],
        "--time-limit",
    );
    refused(&["tammes", "--n", "5", "--threads", "0"], "--threads");
    refused(&["tammes"], "--n");
}

/// Runs a command that must fail as [`refused`] says, without adding `--out` (for commands
/// that have none, or whose `--out` is the point of the test).
fn refused_as_is(args: &[&str], expected: &str) {
    let out = sphaera(args);
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
}

#[test]
fn no_dimensions_are_refused_before_anything_is_drawn_or_normalized() {
    refused(
        &["disperse", "--dim", "0"],
        "--dim must be at least 2, got 0",
    );
    let dir = temp();
    let flat = dir.path().join("flat.npy");
    write_npy::<f64>(&flat, &[5, 0], &[]);
    refused(
        &["disperse", "--init", flat.to_str().unwrap()],
        "flat.npy: --dim must be at least 2, got 0",
    );
}

/// Writes a `.npy` file whose header claims `shape` (Python's tuple text) over `data`.
fn npy_with_header(path: &Path, shape: &str, data: &[u8]) {
    let mut header = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}");
    // Magic, version, length and header together are a multiple of 16 bytes, ending in \n.
    while (10 + header.len() + 1) % 16 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend((header.len() as u16).to_le_bytes());
    bytes.extend(header.as_bytes());
    bytes.extend(data);
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn npy_headers_larger_than_their_file_are_refused_before_allocating() {
    let dir = temp();
    for (name, shape, expected) in [
        (
            "square.npy",
            "(4294967296, 4294967296)",
            "too large for any file",
        ),
        (
            "tall.npy",
            "(9223372036854775808, 2)",
            "too large for any file",
        ),
        ("big.npy", "(2147483648, 2147483648)", "truncated"),
        ("short.npy", "(1000, 3)", "the file has"),
    ] {
        let path = dir.path().join(name);
        npy_with_header(&path, shape, &[0u8; 48]);
        refused(&["disperse", "--init", path.to_str().unwrap()], name);
        refused(&["disperse", "--init", path.to_str().unwrap()], expected);
    }
}

#[test]
fn sizes_that_cannot_fit_in_memory_are_refused_naming_the_figures() {
    // Each needs terabytes or more, beyond any machine this runs on.
    let fit = "must be small enough to fit in memory";
    for (args, flag) in [
        (&["disperse", "--n", "100000000000"][..], "--n"),
        (&["disperse", "--n", "3", "--dim", "100000000000"], "--dim"),
        (
            &[
                "disperse",
                "--method",
                "lloyd",
                "--samples",
                "10000000000000",
            ],
            "--samples",
        ),
        (
            &["disperse", "--method", "ssw", "--slices", "10000000000000"],
            "--slices",
        ),
        (&["tammes", "--n", "1000000000"], "--n"),
    ] {
        refused(args, &format!("{flag} {fit}"));
        refused(args, "the run needs about");
        refused(args, "this machine has");
    }
    refused_as_is(
        &["bench", "step", "--method", "mma", "--n", "1000000000"],
        &format!("--n {fit}"),
    );
    // The other arguments are checked first: nothing is allocated for a refused --dim.
    refused(
        &["disperse", "--n", "1000000000", "--dim", "1"],
        "--dim must be at least 2",
    );
}

#[test]
fn kernel_parameters_that_overflow_are_refused_and_a_diverging_run_stops() {
    refused(
        &["disperse", "--method", "mmd", "--gamma", "1e308"],
        "--gamma must be at most 1e6, got 1e308",
    );
    refused(
        &["disperse", "--method", "uniformity", "--t", "1e308"],
        "--t must be at most 150",
    );
    refused(
        &["disperse", "--method", "mhe", "--s", "1e6"],
        "--s must be between -64 and 64",
    );
    // Within every range, a step that overflows stops the run and writes nothing.
    refused(
        &[
            "disperse",
            "--optimizer",
            "euclidean",
            "--lr",
            "1e308",
            "--steps",
            "20",
        ],
        "the run diverged: non-finite points after step",
    );
}

#[test]
fn out_of_range_limits_threads_and_optimizer_settings_are_refused() {
    refused(
        &["tammes", "--n", "5", "--time-limit", "1e300"],
        "--time-limit must be a positive number of seconds, at most 1e9",
    );
    for command in [&["disperse"][..], &["tammes", "--n", "5"]] {
        let mut args = command.to_vec();
        args.extend(["--threads", "1000000"]);
        refused(&args, "--threads must be at most 1024, got 1000000");
    }
    refused_as_is(
        &["bench", "step", "--method", "mma", "--threads", "1025"],
        "--threads must be at most 1024",
    );
    refused(
        &["disperse", "--method", "mhe", "--s", "-1"],
        "--s must be positive",
    );
    for momentum in ["1", "2"] {
        refused(
            &["disperse", "--optimizer", "sgd", "--momentum", momentum],
            "--momentum must be in [0, 1)",
        );
    }
}

#[cfg(unix)]
#[test]
fn a_device_given_as_out_is_written_through_not_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let is_device = |p: &str| std::fs::metadata(p).is_ok_and(|m| m.file_type().is_char_device());
    if !is_device("/dev/null") || !is_device("/dev/full") {
        return;
    }
    let out = sphaera(&["disperse", "--steps", "5", "--out", "/dev/null"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(is_device("/dev/null"), "/dev/null was replaced");
    for args in [
        &["disperse", "--steps", "5", "--out", "/dev/full"][..],
        &[
            "tammes",
            "--n",
            "5",
            "--restarts",
            "8",
            "--hops",
            "1",
            "--out",
            "/dev/full",
        ],
    ] {
        refused_as_is(args, "cannot write /dev/full: ");
        assert!(is_device("/dev/full"), "/dev/full was replaced");
    }
}

#[test]
fn eval_on_a_split_reports_the_test_f1_of_the_training_run() {
    let dir = temp();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    json(&[
        "data",
        "split",
        "--percent",
        "25",
        "--seed",
        "3",
        "--out",
        &path("split"),
    ]);
    let trained = json(&[
        "hierarchy",
        "train",
        "--dim",
        "5",
        "--epochs",
        "20",
        "--eval-every",
        "5",
        "--protocol",
        "split:25",
        "--split",
        &path("split"),
        "--out",
        &path("m.safetensors"),
    ]);
    let evaluated = json(&[
        "hierarchy",
        "eval",
        "--model-file",
        &path("m.safetensors"),
        "--split",
        &path("split"),
    ]);
    for key in ["test_f1", "valid_f1", "threshold", "test_auroc", "test_ap"] {
        assert!(trained[key].is_number(), "{key} missing in {trained}");
        assert_eq!(evaluated[key], trained[key], "{key}");
    }
    // Reconstruction of the split's nodes (the root is not in a split's model): the closure
    // less the 1,181 pairs of a node with the root.
    assert_eq!(evaluated["pairs"].as_u64(), Some(6542 - 1181));
    assert!(evaluated["map"].as_f64().unwrap() > 0.5);
}

/// A safetensors file of two caps on S^0, which training refuses to make.
fn caps_model_of_dimension_one(path: &Path) {
    let header = r#"{"__metadata__":{"names":"[\"a\",\"b\"]"},"directions":{"dtype":"F64","shape":[2,1],"data_offsets":[0,16]},"angular_radii":{"dtype":"F64","shape":[2],"data_offsets":[16,32]}}"#;
    let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
    bytes.extend_from_slice(header.as_bytes());
    for v in [1.0f64, -1.0, 0.5, 0.5] {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn hostile_training_runs_are_refused_and_write_nothing() {
    let dir = temp();
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let model = out.join("m.safetensors");
    let model = model.to_str().unwrap();
    let run = |args: &[&str], expected: &str| {
        let mut all = vec!["hierarchy", "train", "--epochs", "3", "--out", model];
        all.extend_from_slice(args);
        refused_data(&all, expected, &out);
    };
    run(
        &["--lr", "1e300"],
        "the run diverged: non-finite loss or parameters after epoch 1",
    );
    run(
        &["--sibling-weight", "0.1"],
        "--sibling-weight must be 0 for this model",
    );
    run(
        &["--model", "caps", "--dim", "1"],
        "dim must be at least 2 for caps",
    );
    run(&["--negatives", "0"], "--negatives must be at least 1");
    run(&["--ln-p-floor", "nan"], "--ln-p-floor must be finite");
    run(&["--eval-every", "0"], "'--eval-every <EVAL_EVERY>'");
    for (flag, value) in [
        ("--dim", "4000000000"),
        ("--negatives", "1000000000000"),
        ("--batch-size", "1000000000000"),
    ] {
        run(&[flag, value], "must be small enough to fit in memory");
    }
    run(
        &["--checkpoint", model],
        "--out and --checkpoint name the same file",
    );
    // A checkpoint of the layout written before the protocol moved into the library.
    let old = dir.path().join("old.json");
    std::fs::write(
        &old,
        r#"{"model_kind":"spherex","source":"x","protocol":"reconstruction","regime":"published"}"#,
    )
    .unwrap();
    run(
        &["--resume", old.to_str().unwrap()],
        "a checkpoint of format 1, written by an older sphaera",
    );
    let caps = dir.path().join("caps1.safetensors");
    caps_model_of_dimension_one(&caps);
    let edges = dir.path().join("ab.tsv");
    std::fs::write(&edges, "a\tb\n").unwrap();
    refused_data(
        &[
            "hierarchy",
            "eval",
            "--model-file",
            caps.to_str().unwrap(),
            "--edges",
            edges.to_str().unwrap(),
        ],
        "dim must be at least 2 for caps",
        &out,
    );
}

#[test]
fn a_split_whose_closure_cannot_fit_is_refused_before_it_is_built() {
    let dir = temp();
    let out = dir.path().join("out");
    let chain: String = (0..200_000)
        .map(|i| format!("n{i}\tn{}\n", i + 1))
        .collect();
    let edges = dir.path().join("chain.tsv");
    std::fs::write(&edges, chain).unwrap();
    refused_data(
        &[
            "data",
            "split",
            "--edges",
            edges.to_str().unwrap(),
            "--percent",
            "10",
            "--out",
            out.to_str().unwrap(),
        ],
        "hierarchy must be small enough to fit in memory, got 200000 nodes with up to 19999900000 closure edges",
        &out,
    );
}

/// A file of `tests/fixtures`, written by the binary of stop 17 (before the protocol moved
/// into the library).
fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn models_of_stop_17_still_load_and_score_as_they_did() {
    // Figures printed by stop 17's `hierarchy eval` on the same files.
    for (model, map, mean_rank) in [
        ("stop17_balls.safetensors", 0.9444444444444443, 1.2),
        ("stop17_caps.safetensors", 0.6388888888888888, 1.8),
    ] {
        let v = json(&[
            "hierarchy",
            "eval",
            "--model-file",
            &fixture(model),
            "--edges",
            &fixture("pets.tsv"),
        ]);
        assert_eq!(v["map"].as_f64(), Some(map), "{model}");
        assert_eq!(v["mean_rank"].as_f64(), Some(mean_rank), "{model}");
    }
}

#[test]
fn a_checkpoint_of_stop_17_is_refused_in_one_line() {
    let dir = temp();
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    refused_data(
        &[
            "hierarchy",
            "train",
            "--edges",
            &fixture("pets.tsv"),
            "--dim",
            "3",
            "--epochs",
            "6",
            "--resume",
            &fixture("stop17_checkpoint.json"),
            "--out",
            out.join("m.safetensors").to_str().unwrap(),
        ],
        "stop17_checkpoint.json: a checkpoint of format 1, written by an older sphaera (this version reads format 2); start the run again without it",
        &out,
    );
}

#[test]
fn compare_tabulates_every_combination_and_resumes_from_its_directory() {
    let dir = temp();
    let out = dir.path().join("cmp");
    let args = [
        "hierarchy",
        "compare",
        "--models",
        "spherex,poincare",
        "--dims",
        "2,3",
        "--epochs",
        "4",
        "--seeds",
        "0,1",
        "--protocol",
        "reconstruction,split:10",
        "--out",
        out.to_str().unwrap(),
    ];
    let first = sphaera(&args);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert_eq!(stderr.matches("running").count(), 16, "{stderr}");
    let table = std::fs::read_to_string(out.join("table.md")).unwrap();
    assert_eq!(table, String::from_utf8_lossy(&first.stdout));
    let (runs, claim) = table
        .split_once("\nSpheREx against the best baseline")
        .expect("a claim table");
    assert_eq!(runs.lines().count(), 2 + 8, "{table}");
    assert!(
        runs.contains("| spherex | 3 | split:10 | – | – |"),
        "{table}"
    );
    // One verdict per dimension and protocol, against the one baseline here.
    let verdicts: Vec<&str> = claim
        .lines()
        .filter(|l| l.contains("| poincare |"))
        .collect();
    assert_eq!(verdicts.len(), 4, "{claim}");
    assert!(verdicts
        .iter()
        .all(|l| ["| beats |", "| behind |", "| within the spread |"]
            .iter()
            .any(|v| l.ends_with(v))));
    // Run again: every run is read back, none trained, the same table.
    let again = sphaera(&args);
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert_eq!(stderr.matches("kept").count(), 16, "{stderr}");
    assert_eq!(String::from_utf8_lossy(&again.stdout), table);
}

/// Headless Chromium and Python, when installed (CI installs Chromium and sets
/// `SPHAERA_REQUIRE_CHROMIUM`, so there the test below never skips).
fn chromium_and_python() -> Option<String> {
    let browser = std::env::var("CHROMIUM").unwrap_or_else(|_| "chromium".to_string());
    let runs = |program: &str| {
        Command::new(program)
            .arg("--version")
            .output()
            .is_ok_and(|out| out.status.success())
    };
    let present = runs(&browser) && runs("python3");
    if !present && std::env::var_os("SPHAERA_REQUIRE_CHROMIUM").is_some() {
        panic!("SPHAERA_REQUIRE_CHROMIUM is set but {browser} or python3 does not run");
    }
    if !present {
        eprintln!("skipped: no {browser} or python3 (apt-get install chromium)");
    }
    present.then_some(browser)
}

/// The output of `command`, which must finish within `limit` (it is killed otherwise).
fn within(mut command: Command, limit: std::time::Duration) -> Output {
    use std::process::Stdio;
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the program runs");
    let start = std::time::Instant::now();
    while child
        .try_wait()
        .expect("the program can be waited for")
        .is_none()
    {
        if start.elapsed() > limit {
            child.kill().ok();
            panic!("{command:?} ran longer than {limit:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.wait_with_output().expect("the program's output")
}

/// The comparison report's pictures are drawn in a browser: a report of four models at
/// d = 2 under two protocols on a tiny hierarchy, screenshot by headless Chromium, checked
/// by `.ci/report_pixels.py` (each of the three pictures with a legend shows its legend and
/// some data in the models' colours, the page is not blank and fits the window). The
/// report may hold more pictures (drawings of regions) without changing the check.
#[test]
fn the_report_pictures_are_drawn_in_a_browser() {
    let Some(browser) = chromium_and_python() else {
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = temp();
    let out = dir.path().join("compare");
    let models = ["spherex", "poincare", "order", "box"];
    let tree = root.join("crates/sphaera-cli/tests/fixtures/report_tree.tsv");
    let compare = sphaera(&[
        "hierarchy",
        "compare",
        "--edges",
        tree.to_str().unwrap(),
        "--models",
        &models.join(","),
        "--dims",
        "2",
        "--protocol",
        "reconstruction,split:25",
        "--epochs",
        "5",
        "--seeds",
        "0",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        compare.status.success(),
        "{}",
        String::from_utf8_lossy(&compare.stderr)
    );
    // Tall enough for the whole page: the checker fails when the page reaches the bottom.
    let screenshot = dir.path().join("report.png");
    let mut shot = Command::new(&browser);
    shot.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        "--window-size=1400,5000",
    ])
    .arg(format!(
        "--user-data-dir={}",
        dir.path().join("profile").display()
    ))
    .arg(format!("--screenshot={}", screenshot.display()))
    .arg(format!("file://{}", out.join("report.html").display()));
    let shot = within(shot, std::time::Duration::from_secs(60));
    assert!(
        shot.status.success() && screenshot.exists(),
        "{browser} made no screenshot: {}",
        String::from_utf8_lossy(&shot.stderr)
    );
    let check = Command::new("python3")
        .arg(root.join(".ci/report_pixels.py"))
        .arg(&screenshot)
        .arg("--palette")
        .arg(root.join("crates/sphaera/src/hierarchy/report.rs"))
        .args(["--models", &models.len().to_string(), "--legends", "3"])
        .output()
        .expect("python3 runs");
    assert!(
        check.status.success(),
        "the report's pictures are not drawn:\n{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
}
