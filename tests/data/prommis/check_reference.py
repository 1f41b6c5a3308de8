"""Checks reference.json against the equations written in EQUATIONS.md.

1. Residuals: PrOMMiS's numbers put into the equations of EQUATIONS.md (distribution,
   per-stage element, acid, sulfate, extractant balances, Ka2, pH, dosage).
2. Re-solve: the equations of EQUATIONS.md solved from scratch here (scipy, from the
   inlet as the first guess, nothing taken from PrOMMiS's solution) and compared with
   PrOMMiS's numbers. Agreement means EQUATIONS.md is a complete account.

Usage: python3 tests/data/prommis/check_reference.py [--markdown | --summary]
(--summary: the case tables of README.md: status, timings, pH, dose and Nd profiles)
Needs numpy and scipy (the PrOMMiS venv has both).
"""

import json
import math
import os
import sys

import numpy as np
from scipy.optimize import root

HERE = os.path.dirname(os.path.abspath(__file__))

ELEMENTS = ["Sc", "Y", "La", "Ce", "Pr", "Nd", "Sm", "Gd", "Dy", "Al", "Ca", "Fe"]
# g/mol, sulfuric_acid_leaching_properties.py and ree_og_distribution.py (same for X and X_o)
MW = {"H": 1.0, "HSO4": 97.0, "SO4": 96.0, "DEHPA": 322.431, "Sc": 44.946, "Y": 88.905,
      "La": 138.905, "Ce": 140.116, "Pr": 140.907, "Nd": 144.242, "Sm": 150.36,
      "Gd": 157.25, "Dy": 162.50, "Al": 26.982, "Ca": 40.078, "Fe": 55.845}
# H+ released to the aqueous (and DEHPA consumed) per mol extracted
NU = {e: (2.0 if e == "Ca" else 3.0) for e in ELEMENTS}
# solvent_extraction_reaction_package.py: (m0, m1, B0, B1)
CORR = {"La": (0.54, 0.0, -1.93, 0.0), "Ce": (0.30916, 0.04816, -1.66021, -0.38599),
        "Pr": (0.29, 0.0, -1.48, 0.0), "Nd": (0.31183, 0.03763, -1.62372, -0.38096),
        "Sm": (0.81233, -0.02247, -2.12172, 0.17414), "Gd": (1.0225, 0.0195, -2.24143, 0.03065),
        "Dy": (1.70783, 0.06443, -2.42226, -0.02538), "Y": (1.63166, 0.15166, -2.12601, 0.26612)}
D_CONST = {"Sc": 632.4976, "Al": 0.0531, "Ca": 0.0658, "Fe": 0.1496}
KA2 = 10 ** -1.99  # mol/L
DEHPA_PURE_MG_PER_L = 975.8e3  # dosage = 100 * [DEHPA] / 975.8e3 mg/L


def distribution(e, pH, dose):
    if e in D_CONST:
        return D_CONST[e]
    m0, m1, b0, b1 = CORR[e]
    return 10 ** ((m0 + m1 * dose) * pH + b0 + b1 * math.log10(dose))


def mol(c_mg_per_l, j):
    return c_mg_per_l / 1000.0 / MW[j]


def inlets(case):
    inp = case["inputs"]
    aq = inp["aqueous_inlet"]["conc_mass_mg_per_L"]
    org = inp["organic_inlet"]["conc_mass_mg_per_L"]
    A = inp["aqueous_inlet"]["flow_vol_L_per_h"]
    O = inp["organic_inlet"]["flow_vol_L_per_h"]
    x0 = np.array([mol(aq[e], e) for e in ELEMENTS])
    y_in = np.array([mol(org[e + "_o"], e) for e in ELEMENTS])
    acid0 = (mol(aq["H"], "H"), mol(aq["HSO4"], "HSO4"), mol(aq["SO4"], "SO4"))
    e_in = mol(org["DEHPA"], "DEHPA")
    return A, O, x0, y_in, acid0, e_in


def stage_state(row):
    aq, org = row["aqueous_conc_mass_mg_per_L"], row["organic_conc_mass_mg_per_L"]
    x = np.array([mol(aq[e], e) for e in ELEMENTS])
    y = np.array([mol(org[e + "_o"], e) for e in ELEMENTS])
    return x, y, mol(aq["H"], "H"), mol(aq["HSO4"], "HSO4"), mol(aq["SO4"], "SO4"), mol(org["DEHPA"], "DEHPA")


def residuals(case):
    """Max relative residual of each equation family over all stages and elements."""
    A, O, x0, y_in, (h0, b0, q0), e_in = inlets(case)
    rows = case["stages"]
    n = len(rows)
    st = [stage_state(r) for r in rows]
    nu = np.array([NU[e] for e in ELEMENTS])
    r = {k: 0.0 for k in ("D*aq=org", "D=correlation", "element balance", "acid balance",
                          "sulfate balance", "Ka2", "pH", "extractant balance", "dosage",
                          "flows constant", "cascade element balance", "pH closed form",
                          "dose closed form")}
    for s in range(n):
        x, y, h, b, q, e = st[s]
        xp, hp, bp, qp = (x0, h0, b0, q0) if s == 0 else (st[s - 1][0], st[s - 1][2], st[s - 1][3], st[s - 1][4])
        yn, en = (y_in, e_in) if s == n - 1 else (st[s + 1][1], st[s + 1][5])
        Dst = np.array([rows[s]["D"][k] for k in ELEMENTS])
        pH, dose = rows[s]["pH"], rows[s]["extractant_dosage_percent"]
        Dcorr = np.array([distribution(k, pH, dose) for k in ELEMENTS])
        r["D*aq=org"] = max(r["D*aq=org"], np.max(np.abs(Dst * x - y) / y))
        r["D=correlation"] = max(r["D=correlation"], np.max(np.abs(Dst - Dcorr) / Dcorr))
        into = A * xp + O * yn
        r["element balance"] = max(r["element balance"], np.max(np.abs(into - A * x - O * y) / into))
        xi = A * (xp - x)  # mol/h moved aqueous -> organic in stage s
        acid = A * (hp + bp) - A * (h + b) + np.dot(nu, xi)
        r["acid balance"] = max(r["acid balance"], abs(acid) / (A * (hp + bp)))
        r["sulfate balance"] = max(r["sulfate balance"], abs((bp + qp) - (b + q)) / (bp + qp))
        r["Ka2"] = max(r["Ka2"], abs(b * KA2 - h * q) / (h * q))
        r["pH"] = max(r["pH"], abs(pH + math.log10(h)))
        ext = O * (en - e) - np.dot(nu, xi)
        r["extractant balance"] = max(r["extractant balance"], abs(ext) / (O * e_in))
        r["dosage"] = max(r["dosage"], abs(dose - 100 * e * 1000 * MW["DEHPA"] / DEHPA_PURE_MG_PER_L) / dose)
        # EQUATIONS.md section 3: pH and dose from the stage's own concentrations
        T = h0 + b0 + np.dot(nu, x0 - x)
        S = b0 + q0
        c1 = KA2 + S - T
        h_closed = (-c1 + math.sqrt(c1 * c1 + 4 * KA2 * T)) / 2
        r["pH closed form"] = max(r["pH closed form"], abs(pH + math.log10(h_closed)))
        e_closed = e_in - np.dot(nu, y - y_in)
        r["dose closed form"] = max(r["dose closed form"], abs(e_closed - e) / e)
        r["flows constant"] = max(r["flows constant"],
                                  abs(rows[s]["aqueous_flow_vol_L_per_h"] - A) / A,
                                  abs(rows[s]["organic_flow_vol_L_per_h"] - O) / O)
    into = A * x0 + O * y_in
    out = A * st[-1][0] + O * st[0][1]
    r["cascade element balance"] = float(np.max(np.abs(into - out) / into))
    return {k: float(v) for k, v in r.items()}


def resolve(case):
    """Solve EQUATIONS.md's system from the inlet guess; return per-stage arrays."""
    A, O, x0, y_in, (h0, b0, q0), e_in = inlets(case)
    n = case["inputs"]["stages"]
    k = len(ELEMENTS)
    nu = np.array([NU[e] for e in ELEMENTS])
    width = k + 4  # ln x (12), ln h, ln HSO4, ln SO4, ln DEHPA

    def unpack(z):
        z = z.reshape(n, width)
        v = np.exp(z)
        return v[:, :k], v[:, k], v[:, k + 1], v[:, k + 2], v[:, k + 3], z[:, k]

    def dvec(h, e):
        pH = -math.log10(h)
        dose = 100 * e * 1000 * MW["DEHPA"] / DEHPA_PURE_MG_PER_L
        return np.array([distribution(j, pH, dose) for j in ELEMENTS])

    def f(z):
        x, h, b, q, e, _ = unpack(z)
        y = np.array([dvec(h[s], e[s]) * x[s] for s in range(n)])
        res = []
        for s in range(n):
            xp, hp, bp, qp = (x0, h0, b0, q0) if s == 0 else (x[s - 1], h[s - 1], b[s - 1], q[s - 1])
            yn, en = (y_in, e_in) if s == n - 1 else (y[s + 1], e[s + 1])
            scale = A * x0 + O * y_in
            res.extend((A * xp + O * yn - A * x[s] - O * y[s]) / scale)
            xi = A * (xp - x[s])
            res.append((A * (hp + bp) - A * (h[s] + b[s]) + np.dot(nu, xi)) / (A * (h0 + b0)))
            res.append(((bp + qp) - (b[s] + q[s])) / (b0 + q0))
            res.append(math.log(b[s] * KA2) - math.log(h[s] * q[s]))
            res.append((O * (en - e[s]) - np.dot(nu, xi)) / (O * e_in))
        return np.array(res)

    # First guess: the feed with its HSO4-/SO4 2- brought to Ka2 equilibrium (the
    # feed itself is not at equilibrium), no extraction, the inlet extractant.
    # h + z, b - z, q + z with (h + z)(q + z) = Ka2 (b - z):
    bq = h0 + q0 + KA2
    z = (-bq + math.sqrt(bq * bq - 4 * (h0 * q0 - KA2 * b0))) / 2
    guess = np.concatenate([x0, [h0 + z, b0 - z, q0 + z, e_in]])
    z0 = np.tile(np.log(guess), n)
    best = None
    for method, start in (("hybr", z0), ("lm", z0), ("newton", z0)):
        zs = newton(f, start) if method == "newton" else root(
            f, start, method=method, options={"xtol": 1e-15, "maxfev": 200000}
            if method == "hybr" else {"xtol": 1e-15, "ftol": 1e-15, "maxiter": 200000}).x
        err = float(np.max(np.abs(f(zs))))
        if best is None or err < best[1]:
            best = (zs, err, method)
        if err < 1e-12:
            break
    zsol, err, method = best
    x, h, b, q, e, _ = unpack(zsol)
    y = np.array([dvec(h[s], e[s]) * x[s] for s in range(n)])
    return {"success": err < 1e-12, "max_residual": err, "method": method,
            "x": x, "y": y, "pH": -np.log10(h), "h": h}


def newton(f, z, iters=200):
    """Damped Newton with a forward-difference Jacobian and backtracking on |f|."""
    for _ in range(iters):
        r = f(z)
        if np.max(np.abs(r)) < 1e-14:
            break
        J = np.empty((len(r), len(z)))
        for i in range(len(z)):
            dz = np.zeros_like(z)
            dz[i] = 1e-7
            J[:, i] = (f(z + dz) - r) / 1e-7
        step = np.linalg.lstsq(J, -r, rcond=None)[0]
        step *= min(1.0, 2.0 / max(np.max(np.abs(step)), 1e-300))  # at most e^2 per step
        t = 1.0
        while t > 1e-6:
            zn = z + t * step
            with np.errstate(all="ignore"):
                rn = f(zn)
            if np.all(np.isfinite(rn)) and np.linalg.norm(rn) < np.linalg.norm(r):
                break
            t /= 2
        z = zn
    return z


def compare(case, sol):
    rows = case["stages"]
    dpH = max(abs(r["pH"] - sol["pH"][s]) for s, r in enumerate(rows))
    rel = 0.0
    where = ""
    for s, r in enumerate(rows):
        x, y, *_ = stage_state(r)
        for i, e in enumerate(ELEMENTS):
            for name, a, b in (("aq", x[i], sol["x"][s][i]), ("org", y[i], sol["y"][s][i])):
                d = abs(a - b) / max(abs(a), abs(b))
                if d > rel:
                    rel, where = d, f"stage {s + 1} {e} {name}"
    return dpH, rel, where


def summary(ref):
    print("| case | init | final solve | stages | pH by stage (1 = aqueous inlet) | dose % by stage |"
          " init s | solve s | process s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for case in ref["cases"]:
        st, t = case["status"], case["timing_s"]
        name = case["case"]["name"]
        if "stages" not in case:
            print(f"| {name} | {st} |")
            continue
        ok = st.get("final_solve_optimal")
        pH = ", ".join(f"{r['pH']:.4f}" for r in case["stages"]) if ok else "-"
        dose = ", ".join(f"{r['extractant_dosage_percent']:.4f}" for r in case["stages"]) if ok else "-"
        solve = t.get("final_solve", 0) + t.get("continuation_solve", 0)
        print(f"| {name} | {st['initialization']} | {st['final_solve_termination']} | "
              f"{case['inputs']['stages']} | {pH} | {dose} | {t['initialize']:.2f} | {solve:.2f} | "
              f"{t['process_wall']:.1f} |")
    print()
    print("Nd (mg/L) by stage: aqueous / organic / D")
    print()
    print("| case | Nd feed aq | stage: aq, org, D |")
    print("|---|---|---|")
    for case in ref["cases"]:
        if "stages" not in case or not case["status"].get("final_solve_optimal"):
            continue
        feed = case["inputs"]["aqueous_inlet"]["conc_mass_mg_per_L"]["Nd"]
        cells = "; ".join(f"{r['stage']}: {r['aqueous_conc_mass_mg_per_L']['Nd']:.6g}, "
                          f"{r['organic_conc_mass_mg_per_L']['Nd_o']:.6g}, {r['D']['Nd']:.6g}"
                          for r in case["stages"])
        print(f"| {case['case']['name']} | {feed:.6g} | {cells} |")


def main():
    ref = json.load(open(os.path.join(HERE, "reference.json")))
    if "--summary" in sys.argv:
        summary(ref)
        return
    md = "--markdown" in sys.argv
    if md:
        print("| case | D*aq=org | D=correlation | element bal. | acid bal. | sulfate bal. | Ka2 | "
              "extractant bal. | dosage | cascade bal. | pH closed form (abs) | free DEHPA closed form | "
              "re-solve: max abs dpH | re-solve: max rel. conc. |")
        print("|---|" + "---|" * 13)
    for case in ref["cases"]:
        name = case["case"]["name"]
        if "stages" not in case or not case["status"].get("final_solve_optimal"):
            sol = resolve(case)
            msg = (f"PrOMMiS: not solved; re-solve here: residual {sol['max_residual']:.1e}, "
                   f"pH {', '.join(f'{v:.4f}' for v in sol['pH'])}")
            print(f"| {name} | {msg} |" if md else f"{name}: {msg}")
            continue
        r = residuals(case)
        sol = resolve(case)
        dpH, rel, where = compare(case, sol)
        if md:
            cols = ["D*aq=org", "D=correlation", "element balance", "acid balance", "sulfate balance",
                    "Ka2", "extractant balance", "dosage", "cascade element balance", "pH closed form",
                    "dose closed form"]
            print(f"| {name} | " + " | ".join(f"{r[c]:.1e}" for c in cols)
                  + f" | {dpH:.1e} | {rel:.1e} |")
        else:
            print(name, {k: f"{v:.2e}" for k, v in r.items()})
            print(f"   re-solve {sol['method']} success={sol['success']} residual={sol['max_residual']:.1e} "
                  f"max|dpH|={dpH:.2e} max rel conc diff={rel:.2e} ({where})")


if __name__ == "__main__":
    main()
