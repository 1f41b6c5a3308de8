"""Reference numbers from PrOMMiS's steady solvent-extraction model.

Builds, initialises and solves prommis.solvent_extraction.solvent_extraction_steady
for a list of cases and writes reference.json next to this file. Each case runs in
its own Python process (one at a time) so that a hang or crash in one case is
recorded instead of stopping the run, and so that timings are not polluted by
earlier cases.

Usage (needs the PrOMMiS venv and an `ipopt` on PATH):
    export PATH=/work/prommis/bin:$PATH
    /work/prommis/venv/bin/python tests/data/prommis/make_reference.py
    /work/prommis/venv/bin/python tests/data/prommis/make_reference.py --only default
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "reference.json")
LOGDIR = os.path.join(HERE, "logs")
CASE_TIMEOUT_S = 900

ELEMENTS = ["Sc", "Y", "La", "Ce", "Pr", "Nd", "Sm", "Gd", "Dy", "Al", "Ca", "Fe"]
REE = ["Y", "La", "Ce", "Pr", "Nd", "Sm", "Gd", "Dy"]
IMPURITIES = ["Sc", "Al", "Ca", "Fe"]
AQ_COMPONENTS = ["H2O", "H", "HSO4", "SO4", "Cl"] + ELEMENTS
ORG_COMPONENTS = ["Kerosene", "DEHPA"] + [f"{e}_o" for e in ELEMENTS]


def case(name, stages=3, dosage=5.0, aq_scale=None, org_scale=None, note="", scale_first=False,
         via_aq_scale=None):
    """aq_scale/org_scale: {component: factor} applied to PrOMMiS's default inlet.

    scale_first: call PrOMMiS's model_buildup_and_set_inputs (which scales the model at
    the default inlet) and only then change the inlet, as a user of that function
    would; otherwise the inlet is changed before scale_model is called.
    via_aq_scale: continuation: initialise and solve with this aqueous inlet first, then
    change the inlet to aq_scale and call solve_model again from that solution.
    """
    return {
        "name": name,
        "scale_first": scale_first,
        "via_aq_scale": via_aq_scale,
        "stages": stages,
        "dosage": dosage,
        "aq_scale": aq_scale or {},
        "org_scale": org_scale or {},
        "note": note,
    }


def ree_scaled(f):
    return {e: f for e in REE}


NEGLIGIBLE = 1e-6
NO_SULFATE_NO_IMPURITIES_AQ = {c: NEGLIGIBLE for c in ["HSO4", "SO4"] + IMPURITIES}
NO_IMPURITIES_ORG = {f"{e}_o": NEGLIGIBLE for e in IMPURITIES}

CASES = (
    [case("default", note="PrOMMiS's own default: 3 stages, dosage 5 %")]
    + [case(f"stages_{n}", stages=n) for n in (1, 2, 3, 5, 8)]
    + [case(f"dosage_{d:g}", dosage=float(d)) for d in (2, 5, 10)]
    + [
        case(
            f"ree_x{f}",
            aq_scale=ree_scaled(f),
            note=f"aqueous inlet REE (Y, La..Dy) x{f}; Sc, impurities, acid unchanged",
        )
        for f in (30, 100)
    ]
    + [
        case(
            f"ree_x{f}_scaled_at_default",
            aq_scale=ree_scaled(f),
            scale_first=True,
            note=f"as ree_x{f}, but the inlet is changed after PrOMMiS's "
            "model_buildup_and_set_inputs has scaled the model at the default inlet",
        )
        for f in (30, 100)
    ]
    + [
        case(
            "acid_only",
            aq_scale=NO_SULFATE_NO_IMPURITIES_AQ,
            org_scale=NO_IMPURITIES_ORG,
            note="HSO4, SO4, Sc, Al, Ca, Fe (aqueous and organic inlets) x1e-6: "
            "pH from the inlet H+ and the acid released by RE extraction",
        )
    ]
    + [
        case(
            f"acid_only_ree_x{f}",
            aq_scale={**NO_SULFATE_NO_IMPURITIES_AQ, **ree_scaled(f)},
            org_scale=NO_IMPURITIES_ORG,
            note=f"as acid_only, with the aqueous inlet REE x{f} so that the "
            "acid released by extraction moves the pH",
        )
        for f in (30, 100)
    ]
    + [
        case(
            "acid_only_ree_x100_via_x30",
            aq_scale={**NO_SULFATE_NO_IMPURITIES_AQ, **ree_scaled(100)},
            org_scale=NO_IMPURITIES_ORG,
            via_aq_scale={**NO_SULFATE_NO_IMPURITIES_AQ, **ree_scaled(30)},
            note="acid_only_ree_x100 reached by continuation: initialised and solved "
            "at REE x30, then the inlet set to x100 and solve_model called again",
        )
    ]
)


# --------------------------------------------------------------------------- worker


def run_case(c):
    """Build, initialise and solve one case; return a JSON-able dict."""
    t0 = time.perf_counter()
    from pyomo.environ import value, check_optimal_termination
    from idaes.core.solvers import get_solver
    from prommis.solvent_extraction.solvent_extraction_steady import (
        model_buildup_and_set_inputs,
        build_model,
        set_inputs,
        scale_model,
        initialize_steady_model,
        solve_model,
    )

    t_import = time.perf_counter() - t0
    out = {"case": c, "status": {}, "timing_s": {"import": t_import}}

    t = time.perf_counter()
    if c["scale_first"]:
        m = model_buildup_and_set_inputs(c["dosage"], c["stages"], has_holdup=False)
    else:
        m = build_model(c["dosage"], c["stages"], has_holdup=False)
        set_inputs(m, c["dosage"], has_holdup=False)
    sx = m.fs.solex.mscontactor
    default_aq = {j: value(sx.aqueous_inlet_state[0].conc_mass_comp[j]) for j in AQ_COMPONENTS}

    def set_aq(scale):
        for comp, f in scale.items():
            sx.aqueous_inlet_state[0].conc_mass_comp[comp].fix(default_aq[comp] * f)

    set_aq(c.get("via_aq_scale") or c["aq_scale"])
    for comp, f in c["org_scale"].items():
        v = sx.organic_inlet_state[0].conc_mass_comp[comp]
        v.fix(value(v) * f)
    if not c["scale_first"]:
        scale_model(m)
    out["timing_s"]["build_set_inputs_scale"] = time.perf_counter() - t

    mark("initialize_steady_model")
    t = time.perf_counter()
    try:
        initialize_steady_model(m)
        out["status"]["initialization"] = "ok"
    except Exception as exc:  # record exactly what PrOMMiS does
        out["status"]["initialization"] = "exception"
        out["status"]["initialization_exception"] = f"{type(exc).__name__}: {exc}"
        out["status"]["initialization_traceback_tail"] = traceback.format_exc().splitlines()[-6:]
    out["timing_s"]["initialize"] = time.perf_counter() - t

    mark("solve_model")
    t = time.perf_counter()
    try:
        res = solve_model(m)
        out["status"]["final_solve_termination"] = str(res.solver.termination_condition)
        out["status"]["final_solve_optimal"] = bool(check_optimal_termination(res))
    except Exception as exc:
        out["status"]["final_solve_termination"] = "exception"
        out["status"]["final_solve_optimal"] = False
        out["status"]["final_solve_exception"] = f"{type(exc).__name__}: {exc}"
    out["timing_s"]["final_solve"] = time.perf_counter() - t

    if c.get("via_aq_scale"):
        out["status"]["via_solve_termination"] = out["status"]["final_solve_termination"]
        set_aq(c["aq_scale"])
        mark("solve_model after changing the inlet (continuation)")
        t = time.perf_counter()
        res = solve_model(m)
        out["status"]["final_solve_termination"] = str(res.solver.termination_condition)
        out["status"]["final_solve_optimal"] = bool(check_optimal_termination(res))
        out["timing_s"]["continuation_solve"] = time.perf_counter() - t

    out["inputs"] = read_inputs(m, c)  # after any continuation: the inlet solved for
    out["stages"] = read_stages(m)
    out["outlets"] = read_outlets(m)

    # Tight re-solve from the solution: how far the default tol=1e-6 answer is
    # from the exact root of PrOMMiS's equations (reference values are the
    # default solve's, as a PrOMMiS user gets them).
    if out["status"]["final_solve_optimal"]:
        mark("polish (tol 1e-12)")
        t = time.perf_counter()
        solver = get_solver("ipopt_v2", options={"tol": 1e-12, "max_iter": 50})
        res = solver.solve(m, tee=True)
        out["timing_s"]["polish_solve"] = time.perf_counter() - t
        polished = read_stages(m)
        out["status"]["polish_termination"] = str(res.solver.termination_condition)
        out["status"]["polish_max_rel_change"] = max_rel_change(out["stages"], polished)
    return out


def read_inputs(m, c):
    from pyomo.environ import value

    sx = m.fs.solex.mscontactor
    ai, oi = sx.aqueous_inlet_state[0], sx.organic_inlet_state[0]
    return {
        "stages": c["stages"],
        "dosage_percent": c["dosage"],
        "aqueous_inlet": {
            "flow_vol_L_per_h": value(ai.flow_vol),
            "conc_mass_mg_per_L": {j: value(ai.conc_mass_comp[j]) for j in AQ_COMPONENTS},
        },
        "organic_inlet": {
            "flow_vol_L_per_h": value(oi.flow_vol),
            "conc_mass_mg_per_L": {j: value(oi.conc_mass_comp[j]) for j in ORG_COMPONENTS},
        },
        "temperature_K": value(ai.temperature),
    }


def mark(phase):
    """Label the following ipopt calls in the per-case ipopt log."""
    log = os.environ.get("SX_IPOPT_LOG")
    if log:
        with open(log, "a") as fh:
            fh.write(f"##### PHASE {phase}\n")


def read_stages(m):
    from pyomo.environ import value

    sx = m.fs.solex.mscontactor
    rows = []
    for s in sx.elements:
        aq, org, rx = sx.aqueous[0, s], sx.organic[0, s], sx.heterogeneous_reactions[0, s]
        rows.append(
            {
                "stage": s,
                "pH": value(aq.pH_phase["liquid"]),
                "aqueous_flow_vol_L_per_h": value(aq.flow_vol),
                "organic_flow_vol_L_per_h": value(org.flow_vol),
                "extractant_dosage_percent": value(org.extractant_dosage),
                "aqueous_conc_mass_mg_per_L": {j: value(aq.conc_mass_comp[j]) for j in AQ_COMPONENTS},
                "organic_conc_mass_mg_per_L": {j: value(org.conc_mass_comp[j]) for j in ORG_COMPONENTS},
                "D": {e: value(rx.distribution_coefficient[e]) for e in ELEMENTS},
                "extent_mol_per_h": {
                    e: value(sx.heterogeneous_reaction_extent[0, s, f"{e}_mass_transfer"])
                    for e in ELEMENTS
                },
                "Ka2_extent_mol_per_h": value(sx.aqueous_inherent_reaction_extent[0, s, "Ka2"]),
            }
        )
    return rows


def read_outlets(m):
    from pyomo.environ import value

    sx = m.fs.solex.mscontactor
    ao, oo = sx.aqueous[0, sx.elements.last()], sx.organic[0, sx.elements.first()]
    return {
        "aqueous_outlet_stage": sx.elements.last(),
        "organic_outlet_stage": sx.elements.first(),
        "aqueous_flow_vol_L_per_h": value(ao.flow_vol),
        "organic_flow_vol_L_per_h": value(oo.flow_vol),
    }


def max_rel_change(a, b):
    """Largest relative change between two read_stages() results.

    Returns [change, where] over all numbers, and the same over numbers that
    matter (magnitude above 1e-9 and not the inert Cl, which IPOPT leaves anywhere
    near its bound at tol=1e-6).
    """
    worst = [0.0, ""]
    worst_sig = [0.0, ""]

    def walk(x, y, where):
        if isinstance(x, dict):
            for k in x:
                walk(x[k], y[k], f"{where}.{k}")
        elif isinstance(x, float):
            r = abs(x - y) / max(abs(x), abs(y), 1e-300)
            if r > worst[0]:
                worst[:] = [r, where]
            if max(abs(x), abs(y)) > 1e-9 and not where.endswith(".Cl") and r > worst_sig[0]:
                worst_sig[:] = [r, where]

    for ra, rb in zip(a, b):
        walk(ra, rb, f"stage{ra['stage']}")
    return {"all": worst, "significant": worst_sig}


# --------------------------------------------------------------------------- driver


IPOPT_TEE = """#!/bin/bash
# Every ipopt call, teed by Pyomo or not, also lands in $SX_IPOPT_LOG.
set -o pipefail
echo "##### ipopt $*" >> "$SX_IPOPT_LOG"
"$SX_REAL_IPOPT" "$@" 2>&1 | tee -a "$SX_IPOPT_LOG"
"""


def ipopt_seconds(text):
    """Sum of IPOPT's own 'Total seconds in IPOPT' per phase of the case."""
    out, phase = {}, "?"
    for ln in text.splitlines():
        if ln.startswith("##### PHASE "):
            phase = ln[len("##### PHASE "):].strip()
        elif ln.startswith("Total seconds in IPOPT"):
            out[phase] = out.get(phase, 0.0) + float(ln.split("=")[1])
    return out


def summarise_log(text):
    keep = ("##### PHASE", "EXIT:", "[shim] return_status", "Number of Iterations", "Error")
    return [ln.strip() for ln in text.splitlines() if any(k in ln for k in keep)]


def main():
    only = sys.argv[sys.argv.index("--only") + 1].split(",") if "--only" in sys.argv else None
    os.makedirs(LOGDIR, exist_ok=True)
    real_ipopt = shutil.which("ipopt")
    if real_ipopt is None:
        sys.exit("no ipopt on PATH (export PATH=/work/prommis/bin:$PATH)")
    wrapdir = tempfile.mkdtemp(prefix="sx_ipopt_")
    with open(os.path.join(wrapdir, "ipopt"), "w") as fh:
        fh.write(IPOPT_TEE)
    os.chmod(os.path.join(wrapdir, "ipopt"), 0o755)
    results = []
    if only and os.path.exists(OUT):
        old = json.load(open(OUT))
        results = [r for r in old["cases"] if r["case"]["name"] not in only]
    for c in CASES:
        if only and c["name"] not in only:
            continue
        tmp = os.path.join(LOGDIR, f"{c['name']}.json.tmp")
        ipopt_log = os.path.join(LOGDIR, f"{c['name']}.ipopt.log")
        if os.path.exists(ipopt_log):
            os.remove(ipopt_log)
        env = dict(os.environ, SX_IPOPT_LOG=ipopt_log, SX_REAL_IPOPT=real_ipopt,
                   PATH=wrapdir + os.pathsep + os.environ["PATH"])
        t = time.perf_counter()
        try:
            p = subprocess.run(
                [sys.executable, __file__, "--worker", json.dumps(c), tmp],
                capture_output=True,
                text=True,
                timeout=CASE_TIMEOUT_S,
                env=env,
            )
            log, rc = p.stdout + p.stderr, p.returncode
        except subprocess.TimeoutExpired as exc:
            log, rc = f"{exc.stdout or ''}{exc.stderr or ''}\nTIMEOUT after {CASE_TIMEOUT_S}s", None
        wall = time.perf_counter() - t
        if rc == 0 and os.path.exists(tmp):
            r = json.load(open(tmp))
            os.remove(tmp)
        else:
            r = {"case": c, "status": {"worker": f"exit code {rc}"}, "timing_s": {}}
        # The worker's own output (IDAES messages, tracebacks) is kept where something failed.
        worker_log = os.path.join(LOGDIR, f"{c['name']}.log")
        clean = r["status"].get("initialization") == "ok" and r["status"].get("final_solve_optimal")
        if clean:
            if os.path.exists(worker_log):
                os.remove(worker_log)
        else:
            with open(worker_log, "w") as fh:
                fh.write(log if isinstance(log, str) else log.decode())
        r["timing_s"]["process_wall"] = wall
        text = open(ipopt_log).read() if os.path.exists(ipopt_log) else ""
        r["timing_s"]["inside_ipopt_by_phase"] = ipopt_seconds(text)
        r["ipopt_log_summary"] = summarise_log(text)
        results.append(r)
        print(f"{c['name']:24s} {r['status']} {wall:.1f}s", flush=True)
    order = {c["name"]: i for i, c in enumerate(CASES)}
    results.sort(key=lambda r: order.get(r["case"]["name"], 1e9))
    with open(OUT, "w") as fh:
        json.dump({"generator": "tests/data/prommis/make_reference.py", "versions": versions(),
                   "cases": results}, fh, indent=1)
        fh.write("\n")


def versions():
    from importlib.metadata import version

    v = {p: version(p) for p in ("prommis", "idaes-pse", "pyomo", "casadi", "numpy")}
    v["python"] = sys.version.split()[0]
    try:
        v["ipopt"] = subprocess.run(["ipopt", "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        v["ipopt"] = "not found"
    return v


if __name__ == "__main__":
    if "--worker" in sys.argv:
        i = sys.argv.index("--worker")
        res = run_case(json.loads(sys.argv[i + 1]))
        with open(sys.argv[i + 2], "w") as fh:
            json.dump(res, fh)
    else:
        main()
