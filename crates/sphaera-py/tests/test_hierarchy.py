"""Hierarchies from Python: training under the library's protocol, model files shared with
the CLI, and the evaluation protocols for sphaera's models and for any callable."""

from pathlib import Path

import numpy as np
import pytest

from sphaera import eval as protocols
from sphaera import hierarchy
from sphaera.data import Hierarchy, Split

FIXTURES = Path(__file__).resolve().parents[2] / "sphaera-cli" / "tests" / "fixtures"


def as_callable(model):
    """A plain Python scorer, as a user's own model would be."""
    return lambda u, v: model.score(u, v)


def test_reconstruction_training_and_a_callable_scorer_agree():
    model, summary = hierarchy.train(dim=5, epochs=40, seed=1)
    assert summary["protocol"] == "reconstruction" and summary["epochs"] == 40
    assert summary["map"] > 0.99
    mammals = Hierarchy.mammals()
    by_model = protocols.reconstruction(mammals, model)
    by_callable = protocols.reconstruction(mammals, as_callable(model))
    assert by_model["map"] == summary["map"] == by_callable["map"]
    assert by_model["mean_rank"] == by_callable["mean_rank"]


def test_link_prediction_keeps_the_best_epoch_and_evaluates_the_same(tmp_path):
    mammals = Hierarchy.mammals()
    split = Split(mammals, percent=25, seed=2)
    split.write(tmp_path / "split")
    read = Split.read(tmp_path / "split", mammals, percent=25)
    np.testing.assert_array_equal(read.test_neg, split.test_neg)
    model, summary = hierarchy.train(
        protocol="split:25", split=read, regime="closure-aware", dim=5, epochs=30, eval_every=5
    )
    assert summary["best_epoch"] % 5 == 0 and summary["regime"] == "closure-aware"
    figures = protocols.link_prediction(read, model)
    for key in ("test_f1", "valid_f1", "threshold", "test_auroc", "test_ap"):
        assert figures[key] == summary[key], key
    assert protocols.link_prediction(read, as_callable(model)) == figures


def test_models_round_trip_and_files_of_the_cli_load(tmp_path):
    model, _ = hierarchy.train(model="caps", dim=3, epochs=5)
    model.save(tmp_path / "caps.safetensors")
    back = hierarchy.load(tmp_path / "caps.safetensors")
    assert back.kind == "caps" and back.names == model.names
    # Caps files store directions and angular radii; loading renormalizes the directions and
    # maps radii back to their logits, which may move the last bit.
    np.testing.assert_allclose(back.centers, model.centers, rtol=0, atol=1e-15)
    np.testing.assert_allclose(back.radii, model.radii, rtol=1e-14)
    np.testing.assert_allclose(np.linalg.norm(back.centers, axis=1), 1.0, atol=1e-12)
    # A model written by the CLI of stop 17 scores as that CLI printed.
    old = hierarchy.load(FIXTURES / "stop17_balls.safetensors")
    pets = Hierarchy.from_file(FIXTURES / "pets.tsv")
    assert protocols.reconstruction(pets, old)["map"] == 0.9444444444444443


def test_scores_and_containment_of_a_trained_model():
    model, _ = hierarchy.train(dim=5, epochs=60)
    dog, mammal = model.index("dog.n.01"), model.index("mammal.n.01")
    u, v = np.array([dog, mammal]), np.array([mammal, dog])
    assert model.contains(u, v).tolist() == [True, False]
    scores = model.score(u, v)
    assert scores[0] > 0 > scores[1]
    assert np.all(model.radii > 0)


def test_bad_arguments_are_value_or_type_errors():
    with pytest.raises(ValueError, match="protocol must be reconstruction or split:P"):
        hierarchy.train(protocol="split:95")
    with pytest.raises(ValueError, match="dim must be at least 2 for caps"):
        hierarchy.train(model="caps", dim=1, epochs=1)
    with pytest.raises(ValueError, match="sibling_weight must be 0 for this model"):
        hierarchy.train(sibling_weight=0.1, epochs=1)
    with pytest.raises(ValueError, match="the run diverged"):
        hierarchy.train(lr=1e300, epochs=2)
    with pytest.raises(ValueError, match="the hierarchy has a cycle"):
        Hierarchy([("a", "b"), ("b", "a")])
    model, _ = hierarchy.train(dim=2, epochs=1)
    with pytest.raises(ValueError, match="out of range"):
        model.score(np.array([0]), np.array([10**6]))
    pets = Hierarchy([("dog", "animal"), ("cat", "animal")])
    with pytest.raises(TypeError, match="scorer must be a HierarchyModel or a callable"):
        protocols.reconstruction(pets, 3)
    with pytest.raises(ValueError, match="returned 1 scores for"):
        protocols.reconstruction(pets, lambda u, v: np.zeros(1))

    def broken(u, v):
        raise RuntimeError("my model broke")

    with pytest.raises(RuntimeError, match="my model broke"):
        protocols.reconstruction(pets, broken)
    with pytest.raises(ValueError, match="node dog is not in the model"):
        protocols.reconstruction(Hierarchy([("dog", "mammal.n.01")]), model)


@pytest.mark.parametrize(
    "kind", ["euclidean", "poincare", "order", "euclidean-cones", "hyperbolic-cones", "box"]
)
def test_every_baseline_trains_scores_and_round_trips(kind, tmp_path):
    pets = Hierarchy([("dog", "mammal"), ("cat", "mammal"), ("mammal", "animal"), ("fish", "animal")])
    model, summary = hierarchy.train(pets, model=kind, dim=3, epochs=30)
    assert model.kind == kind == summary["model"]
    assert summary["map"] == protocols.reconstruction(pets, model)["map"] > 0
    model.save(tmp_path / "m.safetensors")
    back = hierarchy.load(tmp_path / "m.safetensors")
    assert back.kind == kind and back.names == model.names
    u, v = np.array([0, 1]), np.array([2, 3])
    np.testing.assert_allclose(back.score(u, v), model.score(u, v), rtol=1e-12)
