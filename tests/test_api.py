"""The public Python API: names, and the Store methods that run the numba cores into runs."""

from __future__ import annotations

import importlib

import numpy as np

import annostore
from annostore.io.motifs import read_motifs


def test_every_module_imports_and_public_names_stay_what_they_are():
    import pkgutil

    modules = [m.name for m in pkgutil.walk_packages(annostore.__path__, "annostore.")]
    assert {"annostore.core.fimo", "annostore.store.store", "annostore.io.meme", "annostore.analysis.aggregate"} <= set(modules)
    for name in modules:
        importlib.import_module(name)
    # no direct submodule of annostore is named after a public name, so importing one never rebinds it
    direct = {m.name.split(".")[1] for m in pkgutil.iter_modules(annostore.__path__, "annostore.")}
    assert not direct & set(annostore.__all__), direct & set(annostore.__all__)
    for name in ("fimo", "tomtom", "demo", "annotate_seqlets", "recursive_seqlets", "open", "count_annotations"):
        assert callable(getattr(annostore, name)), name
    for name in annostore.__all__:
        obj = getattr(annostore, name)
        assert (obj.__doc__ or "").strip(), f"annostore.{name} has no docstring"
    assert set(annostore.__all__) >= {"open", "fimo", "tomtom", "read_motifs", "Store"}


def test_store_methods_run_the_cores_into_runs(tmp_path, jaspar_path):
    rng = np.random.default_rng(3)
    motifs = read_motifs(jaspar_path)
    ap1 = motifs[motifs.index("MA0099.4")]
    seqs, attr = [], np.zeros((6, 300))
    for i in range(6):
        s = rng.choice(list("ACGT"), 300)
        site = "".join(ap1.consensus)
        s[100 : 100 + len(site)] = list(site)
        seqs.append("".join(s))
        attr[i, 100 : 100 + len(site)] = 1.0
    attr += rng.normal(0, 0.01, attr.shape)
    np.save(tmp_path / "attr.npy", attr)

    with annostore.open(tmp_path / "s.store") as store:
        store.add_motifs(motifs.select(["MA0099.4", "MA0062.4", "MA0139.2"]))
        store.add_sequences({f"s{i}": s for i, s in enumerate(seqs)})
        seqlet_run = store.call_seqlets(tmp_path / "attr.npy", sign="positive")
        match_run = store.annotate(seqlet_run, n_nearest=1)
        hit_run = store.scan(threshold=1e-4, attributions=tmp_path / "attr.npy")
        runs = store.runs().to_pylist()
        assert [r["kind"] for r in runs] == ["seqlets", "matches", "hits"]
        assert [r["run_id"] for r in runs] == [seqlet_run, match_run, hit_run]

        # every example's planted AP-1 site is a seqlet labelled FOS::JUN and a high-attribution hit
        labelled = store.count(source="seqlets", by="motif").to_arrow().to_pylist()
        assert labelled == [{"motif_idx": 0, "motif": "MA0099.4", "motif_alt": "FOS::JUN", "n": 6, "n_examples": 6}]
        hits = store.count(source="hits", min_attribution=5.0, by="example").to_arrow()
        assert sorted(hits.column("example_idx").to_pylist()) == list(range(6))


def test_store_annotation_reuses_cached_tables_with_the_same_numbers(tmp_path, jaspar_path):
    """A second ``store.annotate`` in a process reads the cached targets and null distributions:
    the same rows, and the same p-values as the store-free ``annotate_seqlets``."""
    rng = np.random.default_rng(5)
    motifs = read_motifs(jaspar_path).select(["MA0099.4", "MA0062.4", "MA0139.2", "MA0466.4"])
    seqs = ["".join(rng.choice(list("ACGT"), 200)) for _ in range(4)]
    attr = rng.normal(0, 1, (4, 200))
    attr[:, 50:65] += 8.0
    np.save(tmp_path / "attr.npy", attr)
    sql = 'SELECT seqlet_id, rank, motif_idx, p_value FROM matches WHERE run_id = {} ORDER BY 1, 2'
    with annostore.open(tmp_path / "s.store") as store:
        store.add_motifs(motifs)
        store.add_sequences({f"s{i}": s for i, s in enumerate(seqs)})
        seqlet_run = store.call_seqlets(tmp_path / "attr.npy", sign="positive")
        runs = [store.annotate(seqlet_run, n_nearest=3, run=f"m{k}") for k in range(2)]
        a, b = (store.query(sql.format(r)).to_pylist() for r in runs)
        sq = store.query(f'SELECT example_idx, start, "end" FROM seqlets WHERE run_id = {seqlet_run} '
                         "ORDER BY seqlet_id").to_pydict()
    assert a == b and len(a) >= 3 * 4
    onehot = np.zeros((4, 4, 200), np.float32)
    for i, s in enumerate(seqs):
        onehot[i, ["ACGT".index(c) for c in s], np.arange(200)] = 1
    idx, pv = annostore.annotate_seqlets(onehot, np.array([sq["example_idx"], sq["start"], sq["end"]]).T, motifs,
                                         n_nearest=3)
    assert np.asarray(pv).reshape(-1).tolist() == [r["p_value"] for r in a]
    assert np.asarray(idx).reshape(-1).tolist() == [r["motif_idx"] for r in a]
