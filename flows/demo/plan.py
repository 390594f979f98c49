"""The demo inbox planned: who works where, with which qualifications, so that the valid rows of the city add up
to the article's figures exactly for any seed, and which extra rows carry a deliberate defect, so that rejecting
them leaves the totals intact."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date
from random import Random

from flows.demo.people import Agency, AgencyFile, Draw, Person, pick
from flows.demo.tables import (
    AS_OF,
    CATEGORY_LABEL,
    CITY_LEADERS,
    CITY_STAFF,
    COMMUNE_CADRES,
    COMMUNE_CIVIL_SERVANTS,
    CSV_FILES,
    CSV_HEADERS,
    DEFECTS,
    DEGREES,
    EDUCATION_DEAL,
    EDUCATION_MIX,
    EDUCATION_SPELLINGS,
    EXTRA_AS_OF,
    FILE_NAMES,
    FORCED_SHAPES,
    GRADES,
    GROUP_ROW_COMMUNES,
    LEADER_BACHELORS,
    PARTY_SHARE,
    POSITION_KIND,
    POSTS_BY_CODE,
    POSTS_BY_GROUP,
    RATINGS,
    REMARKS,
    SCHOOL_BLOCKS,
    SIZES,
    SKILLS,
    STAFF_MIX,
    STALE_DEFECTS,
    STATE_MANAGEMENT,
    THEORY_DEAL,
    THEORY_MIX,
    THEORY_SPELLINGS,
    TIER_BY_GROUP,
    UNKNOWN_AGENCY,
    Deal,
)
from schemas.reading.text import fold


def demo_files(agencies: list[Agency], rng: Random) -> list[AgencyFile]:
    """Every file of the inbox, defects included, in catalogue order and then the extra files."""
    draw = Draw(rng)
    shapes = _shapes(agencies, rng)
    posts = _posts(agencies, rng)
    people = _staff(agencies, posts, shapes, draw)
    leaders = [p for code in posts for p in people[code] if p.tier]
    _deal(leaders, EDUCATION_DEAL, "university", "education_level", rng)
    _deal(leaders, THEORY_DEAL, "intermediate", "theory_level", rng)
    for person in rng.sample([p for p in leaders if p.theory_level == "advanced"], LEADER_BACHELORS):
        person.theory_level = "bachelor"
    files = []
    for agency in agencies:
        for person in people[agency.code]:
            _complete(person, agency, posts[agency.code], draw)
        files.append(_agency_file(agency, shapes[agency.code], people[agency.code], rng))
        _add_defects(files[-1], posts[agency.code], draw)
    return files + _extra_files(agencies, draw)


def _split(total: int, weights: list[float]) -> list[int]:
    """Share an exact total out in proportion to the weights (largest remainder)."""
    raw = [total * w / sum(weights) for w in weights]
    counts = [math.floor(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: counts[i] - raw[i])[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _is_head(position: str) -> bool:
    """Cấp trưởng or cấp phó: every deputy title starts with "Phó"."""
    return not position.startswith("Phó")


def _shapes(agencies: list[Agency], rng: Random) -> dict[str, str]:
    """Each agency's file shape; the agencies carrying defects get the shape their defects need."""
    shapes = {a.code: FORCED_SHAPES[a.code] for a in agencies if a.code in FORCED_SHAPES}
    communes = [a.code for a in agencies if a.group == "commune" and a.code not in shapes]
    shapes |= dict.fromkeys(rng.sample(communes, GROUP_ROW_COMMUNES), "xlsx-groups")
    free = [a.code for a in agencies if a.code not in shapes]
    shapes |= dict.fromkeys(rng.sample(free, CSV_FILES - list(shapes.values()).count("csv")), "csv")
    return {a.code: shapes.get(a.code, "xlsx") for a in agencies}


def _posts(agencies: list[Agency], rng: Random) -> dict[str, list[str]]:
    """Leaders' titles per agency, heads first; school deputies make up the city's exact number of leaders."""
    posts = {}
    for agency in agencies:
        block = SCHOOL_BLOCKS.get(agency.code)
        if block:
            posts[agency.code] = ["Hiệu trưởng"] * block.schools
            continue
        spec = POSTS_BY_CODE.get(agency.code) or POSTS_BY_GROUP[agency.group]
        counts = [(title, rng.randint(low, high)) for title, low, high in spec]
        posts[agency.code] = [title.format(unit=agency.unit) for title, count in counts for _ in range(count)]
    blocks = [code for code in posts if code in SCHOOL_BLOCKS]
    deputies = CITY_LEADERS - sum(map(len, posts.values()))
    if not blocks or deputies < 0:
        raise ValueError(f"the catalogue cannot hold exactly {CITY_LEADERS} leaders; check its school blocks")
    schools = [SCHOOL_BLOCKS[code].schools for code in blocks]
    for code, count in zip(blocks, _split(deputies, schools), strict=True):
        posts[code] += ["Phó Hiệu trưởng"] * count
    return posts


def _staff(
    agencies: list[Agency], posts: dict[str, list[str]], shapes: dict[str, str], draw: Draw
) -> dict[str, list[Person]]:
    """Everyone per agency, leaders first; the school blocks take what makes the city's exact headcount."""
    rng = draw.rng
    others: dict[str, list[tuple[str, str]]] = {}
    for agency in agencies:
        if agency.group == "commune":
            others[agency.code] = _commune_staff(agency, len(posts[agency.code]), shapes[agency.code], rng)
        elif agency.code not in SCHOOL_BLOCKS:
            low, high = SIZES.get(agency.code) or SIZES[agency.group]
            count = max(rng.randint(low, high) - len(posts[agency.code]), 0)
            others[agency.code] = [_staff_post(agency, rng) for _ in range(count)]
    blocks = [a for a in agencies if a.code in SCHOOL_BLOCKS]
    left = CITY_STAFF - sum(map(len, posts.values())) - sum(map(len, others.values()))
    shares = [SCHOOL_BLOCKS[agency.code].share for agency in blocks]
    for agency, count in zip(blocks, _split(left, shares), strict=True):
        others[agency.code] = [_staff_post(agency, rng) for _ in range(count)]
    people = {}
    for agency in agencies:
        mix = [position for position, _ in STAFF_MIX[_mix(agency)]]
        ordered = sorted(others[agency.code], key=lambda post: mix.index(post[0]) if post[0] in mix else -1)
        people[agency.code] = [_leader(agency, title, draw) for title in posts[agency.code]] + [
            _member(agency, position, category, draw) for position, category in ordered
        ]
    return people


def _mix(agency: Agency) -> str:
    """Which staff mix the agency draws its non-leaders from."""
    if agency.code in SCHOOL_BLOCKS:
        return "school"
    if agency.code == "SN-TTYT":
        return "health"
    if agency.group == "commune":
        return "commune"
    return "service" if agency.default_category == "public_employee" else "office"


def _staff_post(agency: Agency, rng: Random) -> tuple[str, str]:
    """A non-leader's position and category; drivers, guards and cleaners are on labour contracts."""
    position = pick(rng, STAFF_MIX[_mix(agency)])
    support = POSITION_KIND.get(position) == "support"
    return position, "Người lao động" if support else CATEGORY_LABEL[agency.default_category]


def _commune_staff(agency: Agency, leaders: int, shape: str, rng: Random) -> list[tuple[str, str]]:
    """Cadres and civil servants within the ward's quota, then contract workers (none in group-row lists)."""
    cadres = [(title.format(unit=agency.unit), "Cán bộ") for title in COMMUNE_CADRES]
    civil = max(5, agency.quota - leaders - len(cadres) - rng.randint(0, 2))
    civil_servants = sorted((rng.choice(COMMUNE_CIVIL_SERVANTS), "Công chức") for _ in range(civil))
    count = 0 if shape == "xlsx-groups" else rng.randint(3, 10)
    workers = [(pick(rng, STAFF_MIX["commune"]), "Người lao động") for _ in range(count)]
    return cadres + civil_servants + workers


def _tier(agency: Agency) -> str:
    """The level that makes a leader more or less likely to hold a master's or advanced political theory."""
    if agency.code in ("TU-TT", "UB-LD"):
        return "city_key"
    if agency.code in SCHOOL_BLOCKS:
        return "school"
    return TIER_BY_GROUP[agency.group]


def _gender_hint(agency: Agency, position: str) -> bool | None:
    """Women's unions are led and staffed by women, veterans' associations by men."""
    if "Phụ nữ" in position or agency.code == "MT-HLHPN":
        return True
    if "Cựu chiến binh" in position or agency.code == "MT-HCCB":
        return False
    return None


def _leader(agency: Agency, title: str, draw: Draw) -> Person:
    """A leader: older than staff, fewer women, the Youth Union's leaders young."""
    block = SCHOOL_BLOCKS.get(agency.code)
    hint = _gender_hint(agency, title)
    female = hint if hint is not None else draw.rng.random() < (block.leader_female if block else 0.2)
    ages = (40, 59, 51) if _is_head(title) else (31, 58, 45)
    low, high, mode = (30, 36, 33) if agency.code == "MT-DTN" else ages
    age = round(draw.rng.triangular(low, high, mode))
    return draw.person(female, age, title, _leader_category(agency), _tier(agency))


def _leader_category(agency: Agency) -> str:
    """Elected and Party leaders are cadres, department heads civil servants, unit heads public employees."""
    if agency.default_category == "public_employee":
        return "Viên chức"
    return "Công chức" if agency.group == "government" and agency.code != "UB-LD" else "Cán bộ"


def _member(agency: Agency, position: str, category: str, draw: Draw) -> Person:
    """A non-leader, with the share of women of the agency's sector."""
    block = SCHOOL_BLOCKS.get(agency.code)
    share = block.female if block else {"health": 0.6, "commune": 0.38}.get(_mix(agency), 0.42)
    hint = _gender_hint(agency, position)
    female = hint if hint is not None else draw.rng.random() < share
    low, high, mode = (22, 35, 27) if agency.code == "MT-DTN" else (22, 59, 36)
    return draw.person(female, round(draw.rng.triangular(low, high, mode)), position, category, "")


def _deal(leaders: list[Person], rules: tuple[Deal, ...], rest: str, attribute: str, rng: Random) -> None:
    """Give each level to exactly its number of leaders, by weight without replacement; the rest get `rest`.

    Keys u ** (1 / weight) make a weighted draw without replacement (Efraimidis–Spirakis); an infinite weight
    always wins, so every city key leader holds the advanced political theory.
    """
    left = list(leaders)
    for level, count, weights, head_factor in rules:
        scored = []
        for person in left:
            weight = weights.get(person.tier, 0) * (head_factor if _is_head(person.position) else 1)
            if weight > 0:
                scored.append((rng.random() ** (1 / weight), person))
        chosen = [person for _, person in sorted(scored, key=lambda s: s[0], reverse=True)[:count]]
        if len(chosen) < count:
            raise ValueError(f"too few leaders can hold {attribute} {level}")
        for person in chosen:
            setattr(person, attribute, level)
        left = [person for person in left if person not in chosen]
    for person in left:
        setattr(person, attribute, rest)


def _kind(person: Person, agency: Agency) -> str:
    """The kind of work that decides education spellings and grade: school and health leaders keep theirs."""
    if person.tier == "school":
        return "teacher"
    if person.tier and agency.code == "SN-TTYT":
        return "doctor"
    return "office" if person.tier else POSITION_KIND.get(person.position, "office")


def _complete(person: Person, agency: Agency, posts: list[str], draw: Draw) -> None:
    """Qualifications, grade, party membership and planning, consistent with the person's post and age."""
    rng = draw.rng
    kind = _kind(person, agency)
    person.education_level = person.education_level or pick(rng, EDUCATION_MIX[kind])
    # Leaders' degrees above university avoid sector synonyms awaiting confirmation (Bác sĩ CKI), so the
    # article's counts never hinge on them.
    sector = not person.tier or person.education_level == "university"
    spellings = EDUCATION_SPELLINGS.get(f"{kind}/{person.education_level}") if sector else None
    person.education = rng.choice(spellings or EDUCATION_SPELLINGS[person.education_level])
    if person.tier:
        member = person.theory_level != "none"
    elif kind == "support" or person.category == "Người lao động":
        member = rng.random() < 0.15
    else:
        member = person.category == "Cán bộ" or rng.random() < PARTY_SHARE[agency.group]
    person.theory_level = person.theory_level or pick(rng, THEORY_MIX[member])
    person.theory = rng.choice(THEORY_SPELLINGS[person.theory_level])
    if member:
        joined = person.birth.year + rng.randint(20, max(20, min(person.age - 1, 38)))
        person.party_join = date(joined, rng.randint(1, 12), rng.randint(1, 28))
    person.grade = _grade(person, kind, agency, rng)
    person.state_management = _state_management(person, rng)
    it, language = SKILLS["leader" if person.tier else "support" if kind == "support" else "staff"]
    person.it, person.language = pick(rng, it), pick(rng, language)
    person.planned_title = _planned_title(person, posts, rng)
    person.remark = rng.choice(REMARKS) if rng.random() < 0.02 else ""


def _grade(person: Person, kind: str, agency: Agency, rng: Random) -> tuple[str, str]:
    """Grade name and code matching the kind of work, the degree held and seniority."""
    degree = person.education_level in DEGREES
    senior = degree and person.age >= 40 and (bool(person.tier) or rng.random() < 0.4)
    if kind == "teacher" and agency.code in SCHOOL_BLOCKS:
        return SCHOOL_BLOCKS[agency.code].grades[senior]
    if kind == "doctor":
        return GRADES["bsc" if senior else "bs"]
    if kind == "nurse":
        return GRADES["dd3" if degree else "dd4"]
    if kind == "accountant":
        return GRADES["ktv" if degree else "kttc"]
    if kind == "support":
        return GRADES["nv"]
    if not degree:
        return GRADES["cs"]
    principal = senior and agency.group != "commune" and rng.random() < (0.9 if person.tier else 0.6)
    return GRADES["cvc" if principal else "cv"]


def _state_management(person: Person, rng: Random) -> str:
    """State-management training: leaders have it, public employees mostly not."""
    if person.tier == "city_key":
        return rng.choice(("Chuyên viên chính", "Chuyên viên cao cấp"))
    if person.tier:
        return rng.choice(("Chuyên viên", "Chuyên viên chính", "QLNN CV"))
    if person.category in ("Cán bộ", "Công chức"):
        return pick(rng, STATE_MANAGEMENT["civil"])
    return pick(rng, STATE_MANAGEMENT["other"])


def _planned_title(person: Person, posts: list[str], rng: Random) -> str:
    """Deputies are planned for the head's post, younger graduates for the agency's deputy post."""
    if person.tier:
        if _is_head(person.position) or person.age > 50 or rng.random() >= 0.35:
            return ""
        head = person.position.removeprefix("Phó ")
        return head[0].upper() + head[1:]
    deputy = next((title for title in reversed(posts) if not _is_head(title)), "")
    eligible = person.category != "Người lao động" and person.age <= 45 and person.education_level in DEGREES
    return deputy if eligible and rng.random() < 0.25 else ""


def _rate(people: list[Person], short: bool, rng: Random) -> None:
    """Ratings of 2024 with 'excellent' within 20 % of 'good' in the file, the cap of Decree 90/2020."""
    completed = round(len(people) * 0.12)
    excellent = (len(people) - completed) // 6
    levels = ["completed"] * completed + ["excellent"] * excellent
    levels += ["good"] * (len(people) - len(levels))
    rng.shuffle(levels)
    for person, level in zip(people, levels, strict=True):
        person.rating = RATINGS[level][short]


def _agency_file(agency: Agency, shape: str, people: list[Person], rng: Random) -> AgencyFile:
    """One agency's list with its clerk's habits: file name, title spelling, date cells, header wording."""
    _rate(people, rng.random() < 0.2, rng)
    words = fold(agency.name).split()
    stem = rng.choice(FILE_NAMES).format(
        camel="".join(w.capitalize() for w in words),
        code=agency.code,
        spaced=" ".join(w.capitalize() for w in words),
        snake="_".join(words),
    )
    return AgencyFile(
        agency,
        f"{stem}.{'csv' if shape == 'csv' else 'xlsx'}",
        shape,
        people,
        rng.choice(agency.aliases),
        AS_OF,
        long_as_of=rng.random() < 0.35,
        text_dates=rng.random() < 0.25,
        wrapped=rng.random() < 0.5,
        total_label=rng.choice(("Tổng cộng", "Tổng số")),
        split_groups=rng.random() < 0.5,
        bom=rng.random() < 0.5,
        csv_headers=tuple(rng.choice(options) for _, options in CSV_HEADERS),
    )


def _add_defects(file: AgencyFile, posts: list[str], draw: Draw) -> None:
    """Slip the deliberate invalid rows into the list: extra people, never part of the city totals."""
    for kind in DEFECTS.get(file.agency.code, ()):
        if kind == "duplicate":
            source = draw.rng.choice([p for p in file.people if not p.tier and p.rating in RATINGS["good"]])
            row = replace(source, defect="exact duplicate of an earlier row")
            start = file.people.index(source) + 1
        else:
            row, start = _defective(kind, file.agency, posts, draw), 1
        file.people.insert(draw.rng.randint(start, len(file.people)), row)


def _defective(kind: str, agency: Agency, posts: list[str], draw: Draw) -> Person:
    """A plausible extra row with exactly one error that rejects it."""
    rng = draw.rng
    age = {"impossible-date": 39, "month-13": 36, "age-15": 15}.get(kind, rng.randint(24, 50))
    commune = agency.group == "commune"
    position = rng.choice(COMMUNE_CIVIL_SERVANTS) if commune else "Chuyên viên"
    category = "Công chức" if commune else CATEGORY_LABEL[agency.default_category]
    person = draw.person(rng.random() < 0.5, age, position, category, "")
    _complete(person, agency, posts, draw)
    person.rating = RATINGS["completed"][0]
    year = person.birth.year
    match kind:
        case "blank-name":
            person.name, person.defect = "", "full name blank"
        case "digit-name":
            person.name, person.defect = person.name.rsplit(" ", 1)[0] + " 2", "full name with a digit"
        case "bad-category":
            person.category, person.defect = "Tạm tuyển", "category 'Tạm tuyển' not in the vocabulary"
        case "impossible-date":
            person.birth_text, person.defect = f"31/02/{year}", f"impossible birth date 31/02/{year}"
        case "month-13":
            person.birth_text, person.defect = f"15/13/{year}", f"birth date 15/13/{year} (month 13)"
        case "age-15":
            person.defect = f"born {person.birth:%d/%m/%Y}: aged 15 at the as-of date"
        case "short-id":
            person.national_id, person.defect = person.national_id[1:9], "ID of 8 digits"
        case "bad-gender":
            person.gender_text, person.defect = "K", "gender 'K'"
    return person


def _extra_files(agencies: list[Agency], draw: Draw) -> list[AgencyFile]:
    """An older BQLDA list with mostly broken rows, and a list from an agency missing from the catalogue."""
    rng = draw.rng
    bqlda = next(a for a in agencies if a.code == "SN-BQLDA")
    stale = [_member(bqlda, *_staff_post(bqlda, rng), draw) for _ in range(6)]
    code, name, title = UNKNOWN_AGENCY
    unknown = Agency(code, name, "government", "civil_servant", 0, (title,))
    posts = ["Trưởng phòng", "Phó Trưởng phòng"]
    listed = [_leader(unknown, post, draw) for post in posts]
    for leader in listed:
        leader.education_level, leader.theory_level = "university", "intermediate"
    listed += [_member(unknown, "Chuyên viên", "Công chức", draw) for _ in range(3)]
    files = []
    for agency, people, file_name in ((bqlda, stale, "DS_thang11.xlsx"), (unknown, listed, "danh_sach.xlsx")):
        for person in people:
            _complete(person, agency, posts, draw)
        files.append(replace(_agency_file(agency, "xlsx", people, rng), name=file_name))
    files[0].as_of = EXTRA_AS_OF
    for person, change in zip(stale, STALE_DEFECTS, strict=True):
        if change == "name":
            person.name, person.defect = "", "full name blank"
        elif change:
            person.birth_text = f"{change}/{person.birth.year}"
            person.defect = f"impossible birth date {person.birth_text}"
    return files
