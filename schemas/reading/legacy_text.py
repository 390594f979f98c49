"""Legacy 8-bit Vietnamese text (TCVN3/ABC, VNI-Windows) that a reader decoded as Latin-1, turned back into Unicode.

Spec §6.6: cells typed in the old fonts reach us as Latin-1 symbols ("B¶o Th¾ng", "Nguyeãn"). The tables convert
both ways; detection decides, cell by cell, whether a text is legacy at all and which table fits.
"""

from __future__ import annotations

import re
import unicodedata

LEGACY_ENCODINGS = ("TCVN3", "VNI")

# The order of the spellings below: level, grave (huyền), hook (hỏi), tilde (ngã), acute (sắc), dot (nặng).
_TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
_TONE_MARKS = frozenset(_TONES[1:])

# TCVN3 spends one byte on each lower-case letter; "ư" is the soft hyphen U+00AD.
_TCVN3_SPELLINGS = {
    "a": "a µ ¶ · ¸ ¹",
    "ă": "¨ » ¼ ½ ¾ Æ",
    "â": "© Ç È É Ê Ë",
    "e": "e Ì Î Ï Ð Ñ",
    "ê": "ª Ò Ó Ô Õ Ö",
    "i": "i × Ø Ü Ý Þ",
    "o": "o ß á â ã ä",
    "ô": "« å æ ç è é",
    "ơ": "¬ ê ë ì í î",
    "u": "u ï ñ ò ó ô",
    "ư": "\u00ad õ ö ÷ ø ù",
    "y": "y ú û ü ý þ",
    "đ": "®",
}
# Capitals exist only for the toneless letters with a diacritic; the others borrow the lower-case code.
_TCVN3_CAPITALS = {"Ă": "¡", "Â": "¢", "Ê": "£", "Ô": "¤", "Ơ": "¥", "Ư": "¦", "Đ": "§"}

# VNI writes a base letter and a separate mark; i, ỵ, ơ, ư and đ are single bytes. Capitals use the upper-case bytes.
_VNI_SPELLINGS = {
    "a": "a aø aû aõ aù aï",
    "ă": "aê aè aú aü aé aë",
    "â": "aâ aà aå aã aá aä",
    "e": "e eø eû eõ eù eï",
    "ê": "eâ eà eå eã eá eä",
    "i": "i ì æ ó í ò",
    "o": "o oø oû oõ où oï",
    "ô": "oâ oà oå oã oá oä",
    "ơ": "ô ôø ôû ôõ ôù ôï",
    "u": "u uø uû uõ uù uï",
    "ư": "ö öø öû öõ öù öï",
    "y": "y yø yû yõ yù î",
    "đ": "ñ",
}


def _lower_letters(spellings: dict[str, str]) -> dict[str, str]:
    """Every lower-case Vietnamese letter with its legacy spelling, so each table above is written only once."""
    return {
        unicodedata.normalize("NFC", base + tone): code
        for base, codes in spellings.items()
        for tone, code in zip(_TONES, codes.split(), strict=False)
        if not code.isascii()
    }


def _tcvn3_letters() -> dict[str, str]:
    """Unicode letter to TCVN3 code, capitals falling back to the lower-case code where TCVN3 has no capital."""
    lower = _lower_letters(_TCVN3_SPELLINGS)
    return lower | {letter.upper(): _TCVN3_CAPITALS.get(letter.upper(), code) for letter, code in lower.items()}


def _vni_letters() -> dict[str, str]:
    """Unicode letter to VNI spelling, in both cases."""
    lower = _lower_letters(_VNI_SPELLINGS)
    return lower | {letter.upper(): code.upper() for letter, code in lower.items()}


_TO_TCVN3 = str.maketrans(_tcvn3_letters())
_FROM_TCVN3 = str.maketrans(
    {code: letter for letter, code in _lower_letters(_TCVN3_SPELLINGS).items()}
    | {code: capital for capital, code in _TCVN3_CAPITALS.items()}
)
_TO_VNI = str.maketrans(_vni_letters())
_FROM_VNI = {code: letter for letter, code in _vni_letters().items()}
_VNI_CODE = re.compile("|".join(map(re.escape, sorted(_FROM_VNI, key=len, reverse=True))))

# Copying TCVN3 text often drops the invisible soft hyphen that stands for "ư"; Vietnamese has no "ơng", "ơc" or "ơu",
# only "ương", "ước", "ươu", so there the lost "ư" can be put back ("Mêng" = Mường). "ơi", "ơn" stay as they are.
_LOST_HORN_U = re.compile(r"(?<![ưƯ])([ơờởỡớợƠỜỞỠỚỢ])(?=ng|c|u)", re.IGNORECASE)

_LEGACY_CHAR = re.compile(r"[\u00a1-\u00ff]")
_WORD = re.compile(r"(?:[^\W\d_]|[\u00a1-\u00ff])+")
# Initials are lenient (minority names: "Mnông", "Kpă"); "ch" and "nh" close only a, ê, i, y ("anh", "ếch", "huỳnh").
_SYLLABLE = re.compile(
    r"(đ|[bcdfghjklmnpqrstvwxz]*)([aăâeêioôơuưy]*(?:[aêiy](?=ch|nh)|[aăâeêioôơuưy](?!ch|nh)))(ch|nh|ng|[ckmnpt])?"
)
# A syllable closed by c, ch, p or t carries the acute or the dot tone ("k" only closes minority names: "Đăk").
_STOP_FINALS = frozenset({"c", "ch", "p", "t"})
_STOP_TONES = frozenset({"\u0301", "\u0323"})
# Vowel cluster: (tone positions allowed without a final consonant, with one); None where the shape is impossible.
_Rhyme = tuple[tuple[int, ...] | None, tuple[int, ...] | None]
_RHYMES: dict[str, _Rhyme] = {
    **dict.fromkeys(["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư"], ((0,), (0,))),
    "y": ((0,), None),
    **dict.fromkeys(
        ["ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iu", "oi", "ôi", "ơi", "ua", "ui", "ưa", "ưi", "ưu"],
        ((0,), None),
    ),
    **dict.fromkeys(["iê", "yê", "uô", "ươ", "oă", "uâ", "uê"], ((1,), (1,))),
    **dict.fromkeys(["oa", "oe", "uy"], ((0, 1), (1,))),
    **dict.fromkeys(["iêu", "yêu", "oai", "oay", "oeo", "uây", "uôi", "ươi", "ươu", "uya", "uyu", "uơ"], ((1,), None)),
    "uyê": ((2,), (2,)),
}
# After qu no cluster starts with o or u, and a lone y may close the syllable: "quýt", "quỳnh".
_RHYMES_AFTER_QU = {vowels: rhyme for vowels, rhyme in _RHYMES.items() if vowels[0] not in "ou"} | {"y": ((0,), (0,))}


def from_tcvn3(text: str, upper: bool = False) -> str:
    """Unicode for TCVN3 text; upper=True for the ...H fonts, which draw every letter as a capital."""
    converted = _LOST_HORN_U.sub(_restore_horn_u, text.translate(_FROM_TCVN3))
    return converted.upper() if upper else converted


def _restore_horn_u(match: re.Match[str]) -> str:
    """Put back the "ư" of "ương"/"ước"/"ươu" in the case of the "ơ" that follows it."""
    horn_o = match[1]
    return ("Ư" if horn_o.isupper() else "ư") + horn_o


def from_vni(text: str) -> str:
    """Unicode for VNI-Windows text."""
    return _VNI_CODE.sub(lambda match: _FROM_VNI[match[0]], text)


def to_tcvn3(text: str) -> str:
    """TCVN3 as a Latin-1 reader sees it, for test fixtures; capitals TCVN3 lacks come out lower-case."""
    return unicodedata.normalize("NFC", text).translate(_TO_TCVN3)


def to_vni(text: str) -> str:
    """VNI-Windows as a Latin-1 reader sees it, for test fixtures."""
    return unicodedata.normalize("NFC", text).translate(_TO_VNI)


_DECODERS = {"TCVN3": from_tcvn3, "VNI": from_vni}


def detect_legacy(text: str) -> str | None:
    """'TCVN3', 'VNI' or None: which legacy encoding the text most likely is, if any."""
    # Unicode Vietnamese that happens to fit in Latin-1 ("Thái", "Không") is left alone.
    if not _LEGACY_CHAR.search(text) or _has_unicode_letter(text) or _reads_as_vietnamese(text):
        return None
    readings = [name for name in LEGACY_ENCODINGS if _fits(name, text)]
    # "BUYÕ" is VNI "BUỸ" rather than TCVN3 "BUYế"; a full tie goes to TCVN3, the older national standard.
    return min(readings, key=lambda name: _oddity(_DECODERS[name](text)), default=None)


def to_unicode(text: str) -> tuple[str, str | None]:
    """(converted text, encoding name or None). Converts only when the text looks legacy-encoded AND the conversion
    yields valid Vietnamese syllables; otherwise returns the text unchanged and None."""
    encoding = detect_legacy(text)
    return (text, None) if encoding is None else (_DECODERS[encoding](text), encoding)


def to_unicode_as(text: str, encoding: str) -> str | None:
    """Decode with an encoding already known from the rest of the file, for cells too short to tell alone
    ("Sè" is a Unicode syllable, and TCVN3 for "Số"); None unless the text fits that table."""
    if not _LEGACY_CHAR.search(text) or _has_unicode_letter(text) or not _accounts_for(encoding, text):
        return None
    decoded = _DECODERS[encoding](text)
    # With the encoding known, capitals-only words are abbreviations ("HĐND", "ĐH"), not misread syllables.
    words = [word for word in _WORD.findall(decoded) if not word.isascii()]
    return decoded if all(_is_syllable(word) or word.isupper() for word in words) else None


def _has_unicode_letter(text: str) -> bool:
    """A letter beyond Latin-1 ("ễ", "Đ") means the text is Unicode already: no legacy byte decodes to one."""
    return any(ord(char) > 0xFF and char.isalpha() for char in text)


def _reads_as_vietnamese(text: str, any_case: bool = False) -> bool:
    """Every word with a non-ASCII letter is a Vietnamese syllable, written lower, Title or UPPER unless any_case."""
    words = [word for word in _WORD.findall(text) if not word.isascii()]
    return all(_is_syllable(word) and (any_case or _plain_case(word)) for word in words)


def _plain_case(word: str) -> bool:
    """Lower, Title or UPPER: a capital inside a lower-case word ("ViƯt", "TuÊn") betrays a misread byte."""
    return word.islower() or word.isupper() or word.istitle()


def _fits(encoding: str, text: str) -> bool:
    """The table accounts for every legacy byte and turns every word carrying one into a Vietnamese syllable."""
    # TCVN3 has no toned capitals, so its all-capital text comes out mixed: "NGUYÔN" reads "NGUYễN".
    return _accounts_for(encoding, text) and _reads_as_vietnamese(
        _DECODERS[encoding](text), any_case=encoding == "TCVN3"
    )


def _accounts_for(encoding: str, text: str) -> bool:
    """Every legacy byte of the text is a code of the encoding's table."""
    if encoding == "TCVN3":
        return all(ord(char) in _FROM_TCVN3 for char in _LEGACY_CHAR.findall(text))
    return _LEGACY_CHAR.search(_VNI_CODE.sub("", text)) is None


def _oddity(text: str) -> tuple[int, int]:
    """Words in mixed case, then tone marks: when both tables fit ("tö": VNI "tư", TCVN3 "tử"), the plainer wins."""
    mixed_case = sum(not _plain_case(word) for word in _WORD.findall(text))
    return mixed_case, sum(char in _TONE_MARKS for char in unicodedata.normalize("NFD", text))


def _is_syllable(word: str) -> bool:
    """Whether a word can be one Vietnamese syllable: letters only, one tone, on the vowel that carries it."""
    bases: list[str] = []
    tone, tone_at = "", None
    for char in word.lower():
        parts = unicodedata.normalize("NFD", char)
        marks = [part for part in parts if part in _TONE_MARKS]
        if marks and tone:
            return False
        if marks:
            tone, tone_at = marks[0], len(bases)
        bases.append(unicodedata.normalize("NFC", "".join(part for part in parts if part not in _TONE_MARKS)))
    match = _SYLLABLE.fullmatch("".join(bases))
    if match is None:
        return False
    initial, vowels, final = match.groups()
    if final in _STOP_FINALS and tone not in _STOP_TONES:
        return False
    if initial == "q":  # the u after q belongs to the initial: "quả" is qu + a, "quỳnh" is qu + y + nh
        return vowels[0] == "u" and _rhyme_fits(vowels[1:], final, _relative(tone_at, 2), _RHYMES_AFTER_QU)
    shifts = (0, 1) if initial == "g" and vowels[0] == "i" else (0,)  # "gìn" is g + i + n, "giữ" is gi + ư
    return any(
        _rhyme_fits(vowels[shift:], final, _relative(tone_at, len(initial) + shift), _RHYMES) for shift in shifts
    )


def _relative(position: int | None, start: int) -> int | None:
    """The tone's place inside the vowel cluster."""
    return None if position is None else position - start


def _rhyme_fits(vowels: str, final: str | None, tone_at: int | None, rhymes: dict[str, _Rhyme]) -> bool:
    """Whether the vowel cluster exists with (or without) a final, and carries the tone where Vietnamese puts it."""
    allowed = rhymes.get(vowels, (None, None))[final is not None]
    return allowed is not None and (tone_at is None or tone_at in allowed)
