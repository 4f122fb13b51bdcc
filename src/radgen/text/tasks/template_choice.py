"""Which structured-report template fits a report: modality first, then body region, then
the template's own words. Reads English, French, German, Spanish and Italian exam titles and
report words, because translation comes after this choice and can lose the region.

The exam title (``hint``, a DICOM StudyDescription, or a report's first line when it reads
like a title) weighs more than the body. A template of another modality or region is never
chosen while one of the right modality and region exists; when none fits, the choice says
so (``fits`` False and a reason) instead of pretending.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MODALITIES: dict[str, str] = {
    "XRAY": r"x-?ray|radiograph\w*|radiographie|radiograf\w*|röntgen\w*|\bcxr\b|\bpa\b and lat"
    r"|chest film|views? of the chest|\bcr\b|\bdx\b",
    "CT": r"\bct\b|\bcta\b|computed tomograph\w*|tomodensitom\w*|\btdm\b|scanner|scanograph\w*"
    r"|computertomograph\w*|tomograf[íi]a computarizada|\btc\b|\btac\b|tomografia computerizzata"
    r"|hounsfield",
    "MR": r"\bmri?\b|\bmra\b|magnetic resonance|\birm\b|résonance magnétique|\bmrt\b|kernspin\w*"
    r"|resonancia magn[ée]tica|\brm\b|risonanza magnetica|\bt[12][- ]weighted|\bflair\b"
    r"|\bstir\b|diffusion[- ]weighted",
    "US": r"ultrasound|ultrason\w*|sonograph\w*|[ée]chograph\w*|ecograf\w*|sonographie|doppler",
}
REGIONS: dict[str, str] = {
    "head": r"\bhead\b|brain|cerebr\w*|cérébr\w*|encéphal\w*|enc[ée]falo|crâne|cranial"
    r"|intracran\w*|\bkopf\w*|schädel\w*|gehirn|\bhirn\w*|cabeza|cr[áa]neo|cervello|cranio"
    r"|ventricul\w* system|white matter|substance blanche|sulci|sillons",
    "sinus": r"sinus(?:es)?\b|sinusite?|paranasal|nasennebenhöhle\w*|senos paranasales",
    "neck": r"\bneck\b|\bcou\b|\bhals\b|cuello|\bcollo\b|thyroid\w*|thyroïd\w*|schilddrüse"
    r"|tiroid\w*|larynx|pharynx",
    "chest": r"chest|thora\w*|lungs?\b|pulmon\w*|poumons?|lunge\w*|pulm[óo]n\w*|polmon\w*"
    r"|pleura\w*|plèvre|mediastin\w*|médiastin\w*|torace|tórax",
    "heart": r"cardiac|\bheart\b|myocard\w*|coronar\w*|ejection fraction|fraction d'éjection"
    r"|\bherz\w*|coraz[óo]n|cuore|\bcœur\b",
    "abdomen": r"abdom\w*|liver|hepat\w*|hépat\w*|\bfoie\b|\bleber\b|h[íi]gado|fegato|pancrea\w*"
    r"|pankrea\w*|kidneys?|\brenal\b|\breins?\b|\bnieren?\b|ri[ñn][óo]n\w*|\breni\b|spleen"
    r"|splen\w*|spléni\w*|\brate\b|\bmilz\b|\bbazo\b|gallbladder|vésicule|bowel|intestin\w*"
    r"|\bdarm\b|bauch\w*|appendi\w*",
    "pelvis": r"pelvi\w*|pelvien\w*|\bbecken\b|bladder|vessie|\bblase\b|vejiga|vescica|uter\w*"
    r"|utérus|ovar\w*|prostat\w*|rectum|endometri\w*|cervical cancer|col utérin",
    "spine": r"spine|spinal|vertebr\w*|vertèbr\w*|wirbel\w*|v[ée]rtebra\w*|lumbar|lombaire"
    r"|\blendenwirbel|rachis|columna|colonna|intervertebral|disc herniation|hernie discale"
    r"|bandscheibe\w*|foramin\w*",
    "shoulder": r"shoulder|épaule|schulter|hombro|spalla|rotator cuff|supraspinatus|sus-épineux",
    "elbow": r"elbow|coude|ellenbogen|\bcodo\b|gomito",
    "wrist": r"wrist|poignet|handgelenk|muñeca|\bpolso\b|scaphoid\w*|scaphoïde",
    "hand": r"\bhand\b|\bmain\b|fingers?|doigts?|\bdedos?\b|\bdit[ao]\b|phalan\w*",
    "hip": r"\bhips?\b|hanche|hüfte|cadera|\banca\b|acetabul\w*|femoral head|tête fémorale",
    "knee": r"\bknee|genou|\bknie|rodilla|ginocchio|menisc\w*|ménisque|cruciate|croisé",
    "ankle": r"ankle|cheville|sprunggelenk|tobillo|caviglia|talus|achilles",
    "extremity": r"extremit\w*|lower limb|upper limb|membres? inférieurs?|\bbeine?\b",
    "whole_body": r"whole[- ]body|corps entier|ganzkörper|cuerpo entero",
}
# The words of a template's name that name a region (the rest make it specific).
NAME_REGIONS: dict[str, str] = {
    "HEAD": "head", "BRAIN": "head", "SINUS": "sinus", "SINUSES": "sinus",
    "PARANASAL": "sinus", "NECK": "neck", "CHEST": "chest", "THORAX": "chest",
    "CARDIAC": "heart", "HEART": "heart", "CALCIUM": "heart", "ABDOMEN": "abdomen",
    "PANKREAS": "abdomen", "PANKREATITIS": "abdomen", "KIDNEY": "abdomen", "PELVIS": "pelvis",
    "PELIVS": "pelvis", "PROSTATE": "pelvis", "ENDOMETRIAL": "pelvis", "SPINE": "spine",
    "SHOULDER": "shoulder", "ELBOW": "elbow", "WRIST": "wrist", "HAND": "hand",
    "FINGER": "hand", "HIP": "hip", "KNEE": "knee", "ANKLE": "ankle",
    "EXTREMITIES": "extremity", "WHOLE": "whole_body",
}  # fmt: skip
# The template used for a (modality, region) when nothing more specific is named.
DEFAULTS: dict[tuple[str, str], str] = {
    ("CT", "head"): "CT_HEAD_WITHOUT_CONTRAST",
    ("CT", "abdomen"): "CT_ABDOMEN_AND_PELVIS",
    ("CT", "pelvis"): "CT_ABDOMEN_AND_PELVIS",
    ("CT", "heart"): "CT_CARDIAC_ANGIOGRAPHY",
    ("MR", "head"): "MR_ADULT_BRAIN",
    ("MR", "heart"): "MR_CARDIAC_FUNCTION_AND_VIABILITY",
    ("MR", "spine"): "MR_COMPLETE_SPINE_DEGENERATIVE_CHANGES",
    ("MR", "pelvis"): "MR_PROSTATE",
    ("any", "chest"): "XRAY_CHEST",  # no modality named: the commonest chest exam
}
SPECIFIC: dict[str, str] = {  # template name words and how a report names them
    "ANGIOGRAPHY": r"angio\w*|\bcta\b|\bmra\b",
    "STROKE": r"stroke|infarct\w*|ischemi\w*|isch[ée]mi\w*|avc\b|schlaganfall|ictus",
    "WITH": r"with contrast|avec injection|après injection|mit km|con contraste|con mezzo",
    "CONTRAST": r"contrast\w*|injection|kontrastmittel|\bkm\b|contraste|mezzo di contrasto",
    "WITHOUT": r"without contrast|non[- ]contrast|sans injection|ohne km|sin contraste",
    "PERFUSION": r"perfusion",
    "STONES": r"stones?|calcul\w*|lithias\w*|lithiase|steine?",
    "TUMOR": r"tumou?r\w*|mass\w*|carcinom\w*|cancer",
    "PANKREATITIS": r"pancreatit\w*|pankreatit\w*",
    "CALCIUM": r"calcium score|agatston|score calcique",
    "SCORE": r"score",
    "EPILEPSY": r"epilep\w*|[ée]pilep\w*|seizure\w*|crise",
    "DEMENTIA": r"dementia|démence|demenz|atroph\w*|memory",
    "HEADACHE": r"headache|céphalée\w*|kopfschmerz\w*|cefalea",
    "TIA": r"\btia\b|\bait\b|transient ischemic",
    "RADICULOPATHY": r"radiculopath\w*|sciatica|radicul\w*|sciatique",
    "DEGENERATIVE": r"degenerat\w*|dégénérat\w*|spondylo\w*|arthros\w*",
    "LUMBAR": r"lumbar|lombaire|lenden\w*|lumbal\w*",
    "CERVICAL": r"cervical|cervicale|halswirbel\w*",
    "CEERVICAL": r"cervical|cervicale|halswirbel\w*",  # the template's own spelling
    "THORACIC": r"thoracic spine|dorsal|brustwirbel\w*",
    "FAILURE": r"failure|insuffisance|insuffizienz|insuficiencia",
    "RIGHT": r"right heart|right ventric\w*|ventricule droit",
    "VIABILITY": r"viabilit\w*|late gadolinium|\blge\b",
    "VITALITY": r"vitalit\w*",
    "STAGING": r"staging|stadification|bilan d'extension",
    "CANCER": r"cancer|carcinom\w*|tumou?r\w*",
    "LOW": r"low back|lombalgie",
    "BACK": r"back pain|lombalgie|rückenschmerz\w*",
    "PAIN": r"pain|douleur\w*|schmerz\w*|dolor",
}
IGNORED_NAME_WORDS = {"AND", "ADULT", "COMPLETE", "FUNCTION", "WHOLE", "BODY", "CHANGES"}
_TITLE_START = re.compile(r"\s*(exam|examination|study|procedure|examen|untersuchung)\b", re.I)


@dataclass(frozen=True)
class TemplateChoice:
    """The chosen template, what was read from the report, and whether it really fits."""

    name: str
    modality: str | None
    region: str | None
    fits: bool
    reason: str


def _count(pattern: str, text: str) -> int:
    return len(re.findall(pattern, text)) if text else 0


def _title(report: str, hint: str | None) -> str:
    """The exam title: the hint, or a first line that reads like one."""
    if hint:
        return hint.lower()
    first = report.strip().splitlines()[0] if report.strip() else ""
    named = any(re.search(p, first.lower()) for p in MODALITIES.values())
    if _TITLE_START.match(first) or (named and len(first.split()) <= 12):
        return first.lower()
    return ""


def template_regions(name: str) -> set[str]:
    words = name.split("_")[1:]
    regions = {NAME_REGIONS[w] for w in words if w in NAME_REGIONS}
    if "CERVICAL" in words and "CANCER" in words:
        regions = {"pelvis"}
    return regions


def choose(report: str, templates: list[str], hint: str | None = None) -> TemplateChoice:
    """The best template for ``report`` among ``templates`` (see the module's docstring)."""
    title, body = _title(report, hint), report.lower()
    in_title = {m: _count(p, title) for m, p in MODALITIES.items()}
    mod_score = {m: 5 * in_title[m] + _count(p, body) for m, p in MODALITIES.items()}
    modality = max(mod_score, key=mod_score.__getitem__) if any(mod_score.values()) else None
    if any(in_title.values()):  # a modality the title names wins over the body's
        modality = max(in_title, key=in_title.__getitem__)
    reg_score = {r: 5 * _count(p, title) + _count(p, body) for r, p in REGIONS.items()}
    region = max(reg_score, key=reg_score.__getitem__) if any(reg_score.values()) else None
    pool = [t for t in templates if modality is None or t.split("_")[0] == modality]
    if not pool:
        best = _best(templates, reg_score, title, body, modality)
        return TemplateChoice(best, modality, region, False,
                              f"no {modality} template; {best} is another modality")  # fmt: skip
    right = [t for t in pool if region is not None and region in template_regions(t)]
    if right:
        best = _best(right, reg_score, title, body, modality)
        return TemplateChoice(
            best, modality, region, True, f"{modality or 'no modality named'}, {region}"
        )
    best = _best(pool, reg_score, title, body, modality)
    what = f"the {region}" if region else "an unnamed region"
    return TemplateChoice(best, modality, region, False,
                          f"no {modality} template for {what}; {best} is the closest")  # fmt: skip


def _best(
    candidates: list[str], reg_score: dict[str, int], title: str, body: str, modality: str | None
) -> str:
    default = DEFAULTS.get((modality or "any", max(reg_score, key=reg_score.__getitem__)))

    def score(name: str) -> float:
        regions = template_regions(name)
        s = sum(reg_score[r] for r in regions) - 2.0 * sum(reg_score[r] == 0 for r in regions)
        unnamed = False  # a specific template whose specifics the report never names
        for word in name.split("_")[1:]:
            if word in NAME_REGIONS or word in IGNORED_NAME_WORDS:
                continue
            pattern = SPECIFIC.get(word, rf"\b{word.lower()}\b")
            named = 3 * _count(pattern, title) + _count(pattern, body)
            s += min(named, 3) - 0.5 if named else 0.0
            unnamed = unnamed or not named
        s -= 1.0 if unnamed else 0.0
        if name == default:
            s += 0.75
        return s

    return max(sorted(candidates), key=score)
