"""Rewrite parameter `source=` texts in sim/model/*.py so each cites docs/references.md.

Why a script: several engineers edit sim/model/*.py at once, so the integrator re-runs this after
each merge instead of resolving source strings by hand. The mapping below is the single record of
which publication (author, year; listed in full in docs/references.md) or "assumption" backs each
parameter. Re-running is harmless: a source that already reads as mapped is left alone.

    .venv/bin/python scripts/fix_sources.py          # rewrite, then list anything still unsourced
    .venv/bin/python scripts/fix_sources.py --check  # exit 1 if a rewrite is still needed
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: Words that mark a source pointing outside the repository (files users do not have).
OUTSIDE = ("MODEL.md", "seed", "briefing", "issue brief", "shared/")

#: Parameter path -> its source text, citing a key of docs/references.md or starting "assumption".
SOURCES: dict[str, str] = {
    "town.population_15_64": "Blackpool about 87,000 aged 15 to 64 (Hay et al. 2019)",
    "people.initial_dependent": "Blackpool about 2,050 OCUs in 2016/17 (Hay et al. 2019); about 40% in treatment "
    "(OHID 2023)",
    "people.remission_per_year": "about 9% a year, conservative; up to 22% on a liberal definition (Calabria et al. "
    "2010)",
    "people.relapse_first_year_per_year": "assumption: relapse about half within a year of detox or leaving treatment",
    "people.other_deaths_per_1000": "assumption: OCU all-cause mortality about 14-16 per 1,000 PY, of which drug "
    "poisoning about 3.4 (Pierce et al. 2016)",
    "people.dependent_spend_per_day": "about GBP 45/day heroin, GBP 57 crack, 1998/99 prices (Godfrey et al. 2002)",
    "people.occasional_patience": "participation elasticity about -0.8 to -0.9, heavy users less responsive (NRC 2001)",
    "people.crime_funded_share": "on average about 70% funded by crime (Godfrey et al. 2002)",
    "people.fence_share": "stolen goods fetch about a third of their value (Godfrey et al. 2002)",
    "overdose.rate_per_year": "calibrated (calibration/default-town.yaml) to non-fatal to fatal about 20-30 to 1 "
    "(Darke et al. 2003) and poisoning deaths (Pierce et al. 2016)",
    "overdose.no_tolerance_multiplier": "weeks 1-2 after prison release 7.5x weeks 3-12 (Merrall et al. 2010); about "
    "9x baseline after stopping OST (Cornish et al. 2010)",
    "overdose.witnessed_share": "most overdoses are witnessed, about 70% (Darke and Hall 2003)",
    "overdose.fatality_unwitnessed": "calibrated with overdose.rate_per_year (calibration/default-town.yaml) to "
    "Darke et al. 2003; accepted 0.10-0.15",
    "overdose.fatality_with_naloxone": "about 1 in 123 treated overdoses fatal (McDonald and Strang 2016)",
    "overdose.naloxone_coverage": "about 60% of people who inject carry naloxone (UKHSA 2023); not all OCUs inject",
    "market.seller_share": "street sellers earn little, the money is at the top (Levitt and Venkatesh 2000)",
    "market.purity_mean": "street purity swings from about 18% to about 40%, up to 60% (Ahmad and Richardson 2016)",
    "market.purity_max": "up to 60% (Ahmad and Richardson 2016)",
    "dealers.initial_sellers": "assumption: about a hundred street sellers in a town the size of an ADDER area",
    "dealers.groups": "county lines turn over about GBP 2,000-3,000 a day each (Black 2020), against a market of "
    "about GBP 55,000 a day in the default town",
    "dealers.reservation_wage": "assumption; street sellers earn below the minimum wage (Levitt and Venkatesh 2000)",
    "police.arrests_per_patrol_hour": "assumption; ADDER areas made about 870 arrests a year each, 2021-24 "
    "(Home Office 2025)",
    "officers.shift_hours": "normal daily period of duty 8 hours (Police Regulations 2003)",
    "officers.unrostered_hours_per_week": "assumption: surveys report many officers pressed into long hours",
    "officers.weekly_hours_cap": "assumption; a 48-hour average week (Working Time Regulations 1998), forces may "
    "allow more",
    "officers.fatigue_threshold_hours": "assumption, near the 48-hour average (Working Time Regulations 1998)",
    "officers.sickness_share": "assumption: police sickness absence is usually reported at a few per cent of "
    "working time",
    "officers.leaving_per_year": "about 6% of officers leave each year in England and Wales (Home Office 2023)",
    "officers.hiring_delay_days": "assumption; some ADDER projects struggled to recruit specialist staff "
    "(College of Policing 2022)",
    "officers.new_officer_skill": "assumption; concerns that newly trained officers lack the skills for this work "
    "(College of Policing 2022)",
    "deterrence.resources_at_go_live": "assumption; resources must be in place before go-live (College of Policing "
    "2022)",
    "deterrence.fidelity": "assumption; drug market interventions are the most likely to suffer implementation "
    "problems (Braga et al. 2019)",
    "deterrence.data_sharing": "robust data-sharing agreements helped (College of Policing 2022)",
    "deterrence.joint_training": "joint training helped partners work together (College of Policing 2022)",
    "deterrence.co_location": "co-location of functions helped (College of Policing 2022)",
    "deterrence.aligned_governance": "alignment of goals and governance structures helped (College of Policing 2022)",
    "deterrence.community_voices": "family and community members communicate the wider impact; lived experience "
    "helps engagement (College of Policing 2022)",
    "deterrence.diffusion_share": "assumption; benefits tend to diffuse rather than displace (Braga et al. 2018)",
    "deterrence.call_in_readiness": "assumption; ADDER raised criminal-justice referrals to treatment "
    "(Home Office 2025)",
    "treatment.keyworkers": "sized so keyworkers x caseload limit holds about 40% of the town's OCUs (OHID 2023)",
    "treatment.caseload_limit": "good practice about 40 per worker; real caseloads of 50 to 100 reported (Black 2021)",
    "treatment.good_practice_caseload": "good practice about 40 per worker (Black 2021)",
    "treatment.qualified_staff_available": "assumption; ADDER areas reported difficulty recruiting specialist staff "
    "(College of Policing 2022)",
    "treatment.self_referral_per_year": "calibrated so about 40% of OCUs are in treatment at a time (138,604 of "
    "~341,000: OHID 2023, Hay et al. 2019)",
    "treatment.overdose_readiness_factor": "assumption: treatment seeking rises after a non-fatal overdose; size "
    "assumed",
    "treatment.street_triage_hours_per_week": "street triage with officers named as useful in ADDER (College of "
    "Policing 2022)",
    "treatment.family_support_per_year": "assumption; support for families named in the ADDER lessons (College of "
    "Policing 2022)",
    "treatment.initial_in_ost": "about 40% of OCUs in treatment at a time (OHID 2023): 800 of about 2,050",
    "treatment.stable_top_up": "set so deaths on OST are about half those off it (Cornish et al. 2010: 0.7 vs 1.3 "
    "per 100 PY)",
    "treatment.induction_unmatched_load": "set so all-cause deaths in the first two weeks of OST are about 1.3 times "
    "those out of treatment (Cornish et al. 2010: 1.7 vs 1.3 per 100 PY)",
    "treatment.dropout_per_year": "assumption; with completions and deaths gives retention like OHID 2023",
    "treatment.completion_per_year": "opiate clients completing and not returning within 6 months: 5-7% a year "
    "(OHID 2023)",
    "treatment.recovery_support_share": "recovery support such as housing and employment named in ADDER (College of "
    "Policing 2022)",
    "custody.drug_worker_rota": "assumption: typical office-hours custody provision",
    "custody.lived_experience_share": "workers with lived experience engage service users better (College of "
    "Policing 2022)",
    "custody.referral_readiness_factor": "assumption: treatment seeking rises after arrest with a drug worker's "
    "referral; size assumed",
    "custody.referral_attendance": "ADDER: criminal-justice referrals rose but opiate treatment entries did not "
    "(Home Office 2025)",
    "diversion.eligible_share": "ADDER areas: 17,689 community resolutions against 39,696 arrests (Home Office 2025)",
    "diversion.treatment_condition_share": "assumption; expanded diversion schemes in ADDER (College of Policing 2022)",
    "charging.cps_joint_working": "joint working with the CPS before arrest speeds charging decisions (College of "
    "Policing 2022)",
    "charging.joint_forensic_delay_ratio": "assumption (size); especially when cases involved forensic evidence "
    "(College of Policing 2022)",
    "courts.crown_days": "assumption: Crown Court backlogs",
    "courts.treatment_requirement_share": "assumption; scope for greater use of treatment-based requirements "
    "(College of Policing 2022)",
    "courts.seller_sentence_days": "assumption: street-level class A supply commonly draws about 3 years "
    "(Sentencing Council 2021)",
    "prison.release_fraction": "automatic release at the halfway point, 40% for some since September 2024 "
    "(Criminal Justice Act 2003)",
    "prison.treatment_from_entry": "access to ADDER services needs to start on entry into prison (College of "
    "Policing 2022)",
    "prison.security_clearance_days": "assumption; lengthy delays awaiting security clearance (College of Policing "
    "2022)",
    "prison.continuity_of_care": "assumption; continuity of care on release named as a need (College of Policing 2022)",
    "prison.remand_continuity": "remand prisoners not supported like sentenced ones, released at short notice "
    "(College of Policing 2022)",
    "costs.officer_hour": "assumption: Home Office figure of about GBP 36.50 in 2013/14 prices, roughly GBP 50-55 "
    "in 2024/25 after pay awards; publication not yet traced",
    "costs.overtime_multiplier": "overtime at time and a third (Police Regulations 2003, Annex G)",
    "costs.custody_hour": "assumption: one force's GBP 150 for the first 8 hours, GBP 440 for 24 hours, 2014/15; x1.36",
    "costs.prosecution_magistrates": "assumption: about GBP 110 per defendant, 2000/01, publication not yet traced; "
    "x1.9",
    "costs.prosecution_crown": "assumption: about GBP 1,090 per defendant, 2000/01, publication not yet traced; x1.9",
    "costs.court_magistrates": "assumption: about GBP 170 per case, 2010/11, publication not yet traced; x1.45",
    "costs.court_crown": "assumption: about GBP 1,440 per case, 2010/11, publication not yet traced; x1.45",
    "costs.prison_place_year": "about GBP 51,700 per prisoner a year, 2022/23 (Ministry of Justice 2023); x1.08",
    "costs.community_treatment_year": "assumption: about GBP 2,350 per person a year, 2020/21, derived from national "
    "spend; x1.16",
    "costs.ost_medication_year": "assumption: about GBP 940 per patient-year, price base taken as 2020/21; x1.16",
    "costs.residential_week": "about GBP 600 a week, 2012 (Curtis 2012); x1.4",
    "costs.naloxone_kit": "assumption: about GBP 20; price base not stated, taken as current",
    "costs.overdose_response": "assumption: ambulance about GBP 216-270, A&E about GBP 115-310; price bases not stated",
}


def _source_node(tree: ast.Module, cls: str, field: str) -> tuple[ast.Call, ast.keyword | None] | None:
    """The param(...) call declaring `cls.field`, and its source= keyword (None if absent)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == cls:
            for stmt in node.body:
                if (
                    isinstance(stmt, ast.AnnAssign)
                    and isinstance(stmt.target, ast.Name)
                    and stmt.target.id == field
                    and isinstance(stmt.value, ast.Call)
                ):
                    keyword = next((k for k in stmt.value.keywords if k.arg == "source"), None)
                    extra = next((k.value for k in stmt.value.keywords if k.arg == "json_schema_extra"), None)
                    if keyword is None and isinstance(extra, ast.Dict):
                        # a plain pydantic Field(...) that carries its source in json_schema_extra
                        for key, value in zip(extra.keys, extra.values, strict=True):
                            if isinstance(key, ast.Constant) and key.value == "source":
                                keyword = ast.keyword(arg="source", value=value)
                                keyword.col_offset = value.col_offset - len("source=")
                    return stmt.value, keyword
    return None


def _literal(text: str, indent: int) -> str:
    """`text` as Python source, split into implicitly joined pieces that keep lines under 120."""
    width = 118 - indent - len("source=")
    pieces, rest = [], text
    while len(_quoted(rest)) > width:
        cut = rest.rfind(" ", 0, width - 4)
        cut = cut if cut > 0 else width - 4
        pieces.append(rest[: cut + 1])
        rest = rest[cut + 1 :]
    pieces.append(rest)
    return ("\n" + " " * indent).join(_quoted(p) for p in pieces)


def _quoted(text: str) -> str:
    """A double-quoted Python literal (the project's style), escaping as repr would."""
    return '"' + repr(text)[1:-1].replace("\\'", "'").replace('"', '\\"') + '"'


def rewrite(check: bool = False) -> list[str]:
    """Apply SOURCES to the files; returns 'file: path' for each change made (or needed)."""
    from sim.planner.levers import parameters

    by_file: dict[Path, list[tuple[str, str, str, str]]] = {}
    known = {p.path: p for p in parameters()}
    for path, text in SOURCES.items():
        if path not in known:
            print(f"warning: no parameter {path} any more; mapping entry skipped", file=sys.stderr)
            continue
        p = known[path]
        if p.source == text:
            continue
        module = sys.modules[p.section.__module__]
        by_file.setdefault(Path(module.__file__), []).append((path, p.section.__name__, p.field, text))
    changes = []
    for file, items in by_file.items():
        lines = file.read_text(encoding="utf-8").splitlines(keepends=True)
        tree = ast.parse("".join(lines))
        edits = []
        for path, cls, field, text in items:
            found = _source_node(tree, cls, field)
            if found is None:
                print(f"warning: {path}: declaration not found in {file.name}", file=sys.stderr)
                continue
            call, keyword = found
            if keyword is None:
                anchor = call.keywords[-1].value if call.keywords else call.args[-1]
                indent = anchor.col_offset if call.lineno != call.end_lineno else 8
                edits.append(
                    (
                        anchor.end_lineno,
                        anchor.end_col_offset,
                        anchor.end_lineno,
                        anchor.end_col_offset,
                        f", source={_literal(text, indent)}",
                    )
                )
            else:
                value = keyword.value
                indent = keyword.col_offset
                edits.append(
                    (value.lineno, value.col_offset, value.end_lineno, value.end_col_offset, _literal(text, indent))
                )
            changes.append(f"{file.relative_to(ROOT)}: {path}")
        if check or not edits:
            continue
        for line, col, end_line, end_col, new in sorted(edits, reverse=True):
            head = lines[line - 1].encode()[:col].decode()
            tail = lines[end_line - 1].encode()[end_col:].decode()
            lines[line - 1 : end_line] = [head + new + tail]
        _write_atomically(file, "".join(lines))
    return changes


def _write_atomically(file: Path, text: str) -> None:
    """Write via a temp file and rename, after checking the new text still parses."""
    ast.parse(text)
    temp = file.with_suffix(".py.tmp")
    with temp.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        import os

        os.fsync(handle.fileno())
    temp.replace(file)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report; exit 1 if a rewrite is needed")
    args = parser.parse_args()
    changes = rewrite(check=args.check)
    for change in changes:
        print(("needs: " if args.check else "rewrote: ") + change)
    return 1 if args.check and changes else 0


if __name__ == "__main__":
    raise SystemExit(main())
