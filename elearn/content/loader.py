"""Load and validate modules/: every problem names the file, the item and what is wrong."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from elearn.content.kinds import QuestionKind, spec_for
from elearn.content.model import (
    Clause,
    Content,
    Option,
    Policy,
    Question,
    Section,
    Track,
    Unit,
)

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
CLAUSE_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*\.[a-z0-9][a-z0-9-]*$")
KNOWN_ROLES = {"staff", "governor", "leader", "hr", "admin"}


class ContentError(ValueError):
    """One or more content files are broken; str() lists every problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, file: Path | str, item: str, problem: str) -> None:
        self.items.append(f"{file}: {item}: {problem}")


def _read_yaml(path: Path, problems: _Problems) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "file"
        problems.add(path, where, f"not valid YAML ({getattr(exc, 'problem', exc)})")
    except OSError as exc:
        problems.add(path, "file", f"cannot be read ({exc.strerror})")
    return None


def _text(data: dict, key: str, path: Path, item: str, problems: _Problems,
          required: bool = True) -> str | None:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.add(path, item, f"'{key}' is missing")
        return None
    if not isinstance(value, str):
        problems.add(path, item, f"'{key}' must be text")
        return None
    return " ".join(value.split()) if "\n" not in value.strip() else value.strip()


def _date(value: Any, path: Path, item: str, problems: _Problems) -> date:
    if isinstance(value, date):
        return value
    problems.add(path, item, f"must be a date (YYYY-MM-DD), not {value!r}")
    return date.min


def _fingerprint(data: Any) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _load_policy(path: Path, problems: _Problems) -> Policy | None:
    data = _read_yaml(path, problems)
    if data is None:
        return None
    if not isinstance(data, dict):
        problems.add(path, "policy", "must be a mapping")
        return None
    sections: list[Section] = []
    seen: set[str] = set()
    for s_index, s in enumerate(data.get("sections") or []):
        item = f"section {s_index + 1}"
        if not isinstance(s, dict):
            problems.add(path, item, "must be a mapping")
            continue
        sid = s.get("id")
        if not isinstance(sid, str) or not ID_RE.match(sid):
            problems.add(path, item, f"id {sid!r} must be lower-case letters, digits, hyphens")
            continue
        clauses: list[Clause] = []
        for c_index, c in enumerate(s.get("clauses") or []):
            citem = f"section '{sid}' clause {c_index + 1}"
            if not isinstance(c, dict):
                problems.add(path, citem, "must be a mapping")
                continue
            cid = c.get("id")
            if not isinstance(cid, str) or not CLAUSE_ID_RE.match(cid):
                problems.add(path, citem, f"id {cid!r} must look like 'section.slug'")
                continue
            if cid in seen:
                problems.add(path, f"clause '{cid}'", "duplicate id")
                continue
            seen.add(cid)
            text = _text(c, "text", path, f"clause '{cid}'", problems)
            requirement = bool(c.get("requirement", False))
            tracks = tuple(c.get("tracks") or ())
            if requirement and not tracks:
                problems.add(path, f"clause '{cid}'", "a requirement must list its tracks")
            if not requirement and tracks:
                problems.add(path, f"clause '{cid}'", "only requirements list tracks")
            clauses.append(Clause(cid, text or "", requirement, tracks, sid))
        sections.append(Section(sid, _text(s, "title", path, item, problems) or "",
                                _text(s, "intro", path, item, problems, required=False),
                                tuple(clauses)))
    if not sections:
        problems.add(path, "policy", "has no sections")
    return Policy(
        id=str(data.get("id") or ""),
        title=_text(data, "title", path, "policy", problems) or "",
        trust=_text(data, "trust", path, "policy", problems) or "",
        version=str(data.get("version") or ""),
        first_written=_date(data.get("first_written"), path, "first_written", problems),
        review_date=_date(data.get("review_date"), path, "review_date", problems),
        review_interval_months=int(data.get("review_interval_months") or 12),
        sections=tuple(sections),
    )


def _load_question(q: Any, path: Path, index: int, clause_ids: set[str],
                   problems: _Problems) -> Question | None:
    item = f"question {index + 1}"
    if not isinstance(q, dict):
        problems.add(path, item, "must be a mapping")
        return None
    qid = q.get("id")
    if not isinstance(qid, str) or not ID_RE.match(qid):
        problems.add(path, item, f"id {qid!r} must be lower-case letters, digits, hyphens")
        return None
    item = f"question '{qid}'"
    try:
        kind = QuestionKind(q.get("kind"))
    except ValueError:
        problems.add(path, item, f"unknown kind {q.get('kind')!r} "
                     f"(expected one of {', '.join(k.value for k in QuestionKind)})")
        return None
    spec = spec_for(kind)
    prompt = _text(q, "prompt", path, item, problems) or ""
    cites = tuple(q.get("cites") or ())
    if not cites:
        problems.add(path, item, "cites no clause")
    for cid in cites:
        if cid not in clause_ids:
            problems.add(path, item, f"cites unknown clause id '{cid}'")
    options: list[Option] = []
    seen: set[str] = set()
    for o_index, o in enumerate(q.get("options") or []):
        oitem = f"{item} option {o_index + 1}"
        if not isinstance(o, dict):
            problems.add(path, oitem, "must be a mapping")
            continue
        oid = str(o.get("id", ""))
        if not ID_RE.match(oid):
            problems.add(path, oitem, f"id {oid!r} must be lower-case letters, digits, hyphens")
            continue
        if oid in seen:
            problems.add(path, f"{item} option '{oid}'", "duplicate id")
            continue
        seen.add(oid)
        oitem = f"{item} option '{oid}'"
        option_problem = spec.option_problem(o)
        if option_problem is not None:
            problems.add(path, oitem, option_problem)
        options.append(Option(
            oid,
            _text(o, "text", path, oitem, problems) or "",
            bool(o.get("correct", False)),
            _text(o, "feedback", path, oitem, problems) or "",
        ))
    for problem in spec.problems(options):
        problems.add(path, item, problem)
    return Question(qid, kind, prompt, cites, tuple(options),
                    _text(q, "explanation", path, item, problems, required=False))


def _load_unit(path: Path, clause_ids: set[str], problems: _Problems) -> Unit | None:
    data = _read_yaml(path, problems)
    if data is None:
        return None
    if not isinstance(data, dict):
        problems.add(path, "unit", "must be a mapping")
        return None
    uid = data.get("id")
    if uid != path.stem:
        problems.add(path, "unit", f"id {uid!r} must match the file name '{path.stem}'")
        return None
    item = f"unit '{uid}'"
    questions: list[Question] = []
    seen: set[str] = set()
    for index, q in enumerate(data.get("questions") or []):
        question = _load_question(q, path, index, clause_ids, problems)
        if question is None:
            continue
        if question.id in seen:
            problems.add(path, f"question '{question.id}'", "duplicate id")
            continue
        seen.add(question.id)
        questions.append(question)
    if not questions:
        problems.add(path, item, "has no questions")
    draw = data.get("draw", len(questions))
    if not isinstance(draw, int) or not 1 <= draw <= max(len(questions), 1):
        problems.add(path, item, f"draw must be between 1 and {len(questions)}, not {draw!r}")
        draw = len(questions)
    minutes = data.get("minutes", 5)
    return Unit(
        id=uid,
        title=_text(data, "title", path, item, problems) or "",
        summary=_text(data, "summary", path, item, problems) or "",
        minutes=minutes if isinstance(minutes, int) else 5,
        scenario=_text(data, "scenario", path, item, problems) or "",
        questions=tuple(questions),
        draw=draw,
        fingerprint=_fingerprint(data),
        source=str(path),
    )


def _load_tracks(path: Path, units: dict[str, Unit], problems: _Problems) -> list[Track]:
    data = _read_yaml(path, problems)
    if data is None:
        return []
    tracks: list[Track] = []
    seen: set[str] = set()
    for index, t in enumerate((data or {}).get("tracks") or []):
        tid = t.get("id") if isinstance(t, dict) else None
        if not isinstance(tid, str) or not ID_RE.match(tid):
            problems.add(path, f"track {index + 1}", f"id {tid!r} is not a valid id")
            continue
        item = f"track '{tid}'"
        if tid in seen:
            problems.add(path, item, "duplicate id")
            continue
        seen.add(tid)
        roles = tuple(t.get("roles") or ())
        for role in roles:
            if role not in KNOWN_ROLES:
                problems.add(path, item, f"unknown role '{role}'")
        if not roles:
            problems.add(path, item, "names no roles")
        pass_mark = t.get("pass_mark")
        if not isinstance(pass_mark, int) or not 1 <= pass_mark <= 100:
            problems.add(path, item, f"pass_mark must be a percentage 1-100, not {pass_mark!r}")
            pass_mark = 80
        unit_ids = tuple(t.get("units") or ())
        if not unit_ids:
            problems.add(path, item, "lists no units")
        for uid in unit_ids:
            if uid not in units:
                problems.add(path, item, f"unknown unit '{uid}'")
        if len(set(unit_ids)) != len(unit_ids):
            problems.add(path, item, "lists a unit twice")
        tracks.append(Track(tid, _text(t, "title", path, item, problems) or "",
                            _text(t, "description", path, item, problems) or "",
                            roles, pass_mark, unit_ids))
    if not tracks:
        problems.add(path, "tracks", "no tracks defined")
    return tracks


def version_key(version: str) -> tuple:
    """Versions compare number by number: 2017-01 < 2017-09 < 2026-09, 1.2 < 1.10."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in re.findall(r"\d+|[^\d.\-\s]+", version))


def _load_policies(root: Path, problems: _Problems) -> list[Policy]:
    """Every version of the policy in modules/policy/, oldest first."""
    files = sorted((root / "policy").glob("*.yaml"))
    if not files:
        problems.add(root / "policy", "policy", "no policy file found")
    loaded: list[tuple[Path, Policy]] = []
    for path in files:
        policy = _load_policy(path, problems)
        if policy is None:
            continue
        if not policy.version.strip():
            problems.add(path, "policy", "'version' is missing")
            continue
        clash = next((p for p, known in loaded if known.version == policy.version), None)
        if clash is not None:
            problems.add(path, "policy", f"version '{policy.version}' is also in {clash.name}")
            continue
        if loaded and policy.id != loaded[0][1].id:
            problems.add(path, "policy", f"id '{policy.id}' differs from '{loaded[0][1].id}' "
                         f"in {loaded[0][0].name}: versions of one policy share its id")
            continue
        loaded.append((path, policy))
    loaded.sort(key=lambda item: version_key(item[1].version))
    return [policy for _, policy in loaded]


def load_content(directory: str | Path) -> Content:
    """Load and validate every file under `directory`; raise ContentError listing all problems."""
    root = Path(directory)
    problems = _Problems()
    policies = _load_policies(root, problems)
    if not policies:
        raise ContentError(problems.items)
    # A question may cite a clause of any version: an old version's clause stays citable
    # while its cycle runs. Coverage checks each version separately.
    clause_ids = {cid for policy in policies for cid in policy.clauses}
    units: dict[str, Unit] = {}
    for path in sorted((root / "units").glob("*.yaml")):
        unit = _load_unit(path, clause_ids, problems)
        if unit is not None:
            units[unit.id] = unit
    tracks = _load_tracks(root / "tracks.yaml", units, problems)
    track_ids = {t.id for t in tracks}
    for policy in policies:
        for clause in policy.clauses.values():
            for tid in clause.tracks:
                if tid not in track_ids:
                    problems.add(root / "policy", f"version '{policy.version}' clause "
                                 f"'{clause.id}'", f"unknown track '{tid}'")
    if problems.items:
        raise ContentError(problems.items)
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.yaml")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return Content(policies=tuple(policies), tracks=tuple(tracks), units=units,
                   fingerprint=digest.hexdigest())
