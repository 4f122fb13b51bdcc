"""A clinical request parsed into the facts that decide an examination: age, sex, pregnancy,
kidney function, contrast allergies, MRI safety, red flags, pre-test probability.

Rules only, with negation handled ("not pregnant", "no red flags"): every fact comes with
the words that set it, so a reader can check it.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from radgen.errors import RadgenError
from radgen.text.protocol.guidance import CONDITIONS, find_unnegated

AGE_PATTERNS = [  # most reliable first: a bare "2y" is as often a duration ("50M, knee pain, 2y")
    (r"\b(\d{1,3})[- ]?(?:year|yr)s?[- ]?old\b", 1.0),
    (r"\b(\d{1,3})\s?(?:yo|y/o)\b", 1.0),
    (r"\b(\d{1,2})\s?[MF]\b", 1.0),
    (r"(?<![\w/])(\d{1,2})\s?[BG]\b", 1.0),  # request-form shorthand: "10B" is a boy of 10
    # "aged 18 months" is a toddler, not a young adult
    (r"\baged?\s*:?\s*(\d{1,2})\s*(?:months?|mo)\b", 1 / 12),
    (r"\baged?\s*:?\s*(\d{1,2})\s*(?:weeks?|wks?)\b", 1 / 52),
    (r"\baged?\s*:?\s*(\d{1,2})\s*days?\b", 1 / 365),
    (r"\baged?\s*:?\s*(\d{1,3})\b(?!\s*(?:months?|mo|weeks?|wks?|days?)\b)", 1.0),
    (r"\b(\d{1,3})\s?(?:yrs?|y)\b", 1.0),
    (r"\b(\d{1,2})[- ]?months?[- ]?old\b", 1 / 12),
    (r"\b(\d{1,2})[- ]?weeks?[- ]?old\b", 1 / 52),
    (r"\b(\d{1,2})[- ]?days?[- ]?old\b", 1 / 365),
]
CHILD_WORDS = (
    r"\b(?:child|children|boy|girl|infant|baby|toddler|neonate|newborn|paediatric|pediatric|kid)\b"
)
INFANT_WORDS = r"\b(?:infant|baby|neonate|newborn)\b"
PREGNANT = (
    r"\b(?:pregnan\w*|(?:primi|multi|secundi)?gravid\w*|trimester|antenatal|gestation\w*|"
    r"G\d+P\d+|"
    r"\d{1,2}\s?/\s?40|\d{1,2}\s?weeks?\s+(?:pregnant|gestation|along)|"
    r"positive (?:urine |serum |blood )?(?:pregnancy test|b(?:eta)?[- ]?hCG|hCG)|"
    r"expect\w* (?:twins|triplets)|twin pregnancy|"
    r"expecting (?:her |a |their |our )?(?:first |second |third |fourth |\d\w* )?(?:baby|child)|"
    r"(?:b(?:eta)?[- ]?hCG|hCG)\s+(?:test\s+)?(?:\w+\s+){0,2}(?:was|is|came back)\s+positive)"
    # request-form shorthand: weeks written straight after a woman's age ("29F, 28w", or
    # "33W, 22W" with W for woman)
    r"|(?<=\d[FfWw])[,;\s]+(?:G?\d{1,2}P\d{1,2}[,;\s]+)?\d{1,2}\s?(?:w|wk|wks|weeks?)\b"
    r"(?!\s*(?:ago|of|since|hx|history))"
    # scans done only in pregnancy, and a gestation a scan gave: "dating scan put her at 14
    # weeks" ("30F, 2P1, 20W" above: parity between the age and the weeks)
    r"|\b(?:dating|booking|anomaly|nuchal)\s+(?:ultrasound\s+)?scan\b"
    r"|\bput\s+(?:her|the\s+pregnancy)\s+at\s+\d{1,2}\s?(?:weeks?|wks?)\b"
    # obstetric weeks-plus-days ("32+4 weeks", "at 32+4") and a bump measured in weeks
    r"|\b\d{1,2}\s?\+\s?[0-6]\s?(?:weeks?|wks?|/40)|\bat\s+\d{1,2}\+[0-6]\b"
    r"|\b\d{1,2}[- ]weeks?[- ](?:bump|pregnan\w*)"
    # a delivery date: "EDD in six weeks", "her baby is due in November"
    r"|\bEDD\b|\bestimated date of (?:delivery|confinement)\b|\b(?:baby|babies|twins)\s+"
    r"(?:is\s+|are\s+)?due\b"
)
NOT_PREGNANT = (
    r"\b(?:not|non)[\s-]*(?:(?:currently|presently|now)\s+)?pregnan\w*|"
    r"pregnancy test (?:\w+ ){0,2}(?:was |is )?negative|"
    r"negative pregnancy test"
    # a form's field left empty: "Pregnancy: Not applicable", "**Pregnancy:** N/A"
    r"|\bpregnan\w*\W{0,4}:\W{0,4}(?:not applicable|n/?a|no|none|negative)\b"
)
# A pregnancy in the past (ConText's "historical"): "previous pregnancy", "hx of pregnancy 3
# years ago", "pregnancy in 2019". Not "history of pregnancy-induced hypertension": a
# compound may name the present pregnancy's complication.
PAST_PREGNANCY = (
    r"\b(?:previous|prior|past|earlier|former|history\s+of|hx\s+of|h/o)\s+(?:\w+\s+)?"
    r"(?:pregnancy|pregnancies)\b(?!-)"
    r"|\b(?:pregnancy|pregnancies)\s+(?:\w+\s+){0,3}?(?:\d+|a|one|two|three|four|five|six|"
    r"seven|eight|nine|ten|several|many)\s+(?:years?|yrs?|months?)\s+ago\b"
    r"|\b(?:pregnancy|pregnancies)\s+in\s+(?:19|20)\d{2}\b"
)
# Somebody else's fact (ConText's "experiencer"): a relative as the subject of the clause
# ("his mother had a reaction to contrast", "her sister is pregnant"), or a family history.
# Narrow on purpose: "her mother says she is pregnant" stays the patient's (see other_person).
RELATIVE_SUBJECT = (
    r"\b(?:(?:his|her|their|the\s+patient['’]s|patient['’]s|pt['’]s)\s+)(?:mother|father|mum|"
    r"mom|dad|sister|brother|son|daughter|wife|husband|partner|aunt|uncle|grandmother|"
    r"grandfather|grandma|grandpa|cousin|twin|sibling|niece|nephew)\s+"
    r"(?:(?:also|previously|once|apparently|reportedly)\s+)?"
    r"(?:had|has|reacted|developed|suffered|experienced|got|is|was)\b"
    r"|\bfamily\s+history\s+of\b|\bFHx?\b"
)
_PATIENT_AGAIN = r"\b(?:she|he|the\s+patient|patient|pt)\b"


def other_person(text: str, m: re.Match[str]) -> bool:
    """Whether match ``m`` is a relative's: in the same sentence after a relative as the
    subject, with no mention of the patient between ("her mother says she..." is hers)."""
    start = max(text.rfind(c, 0, m.start()) for c in ".;!?\n") + 1
    for r in re.finditer(RELATIVE_SUBJECT, text[start : m.start()], re.I):
        if not re.search(_PATIENT_AGAIN, text[start + r.end() : m.start()], re.I):
            return True
    return False


def _not_set_aside(text: str, m: re.Match[str]) -> bool:
    return not (past_pregnancy(text, m) or other_person(text, m))


def past_pregnancy(text: str, m: re.Match[str]) -> bool:
    """Whether a pregnancy match lies inside a past pregnancy ("previous pregnancy")."""
    return any(p.start() <= m.start() < p.end() for p in re.finditer(PAST_PREGNANCY, text, re.I))


EGFR = (
    r"\b(?:e?GFR|creatinine clearance|CrCl|glomerular filtration rate)\)?\s*"
    # "eGFR blood test came back at 14", "eGFR around 20"
    r"(?:(?:blood\s+)?(?:test|result|level|value)\s+)?(?:came\s+back\s+|has\s+been\s+|now\s+)?"
    r"(?:(?:of|is|was|=|:|at|around|about|approximately|roughly|~)\s*(?:now\s+)?)?"
    r"\s*(\d{1,3})"
)
KIDNEY_FAILURE = (
    r"\b(?:(?:haemo|hemo|peritoneal\s)?dialysis|renal failure|kidney failure|"
    r"end[- ]stage (?:renal|kidney)|ESRD|ESKD|"
    # peritoneal dialysis by its abbreviations: continuous ambulatory, continuous cycling
    r"CAPD|CCPD|"
    # kidney function called very poor: "very poor kidney function", "renal function severely
    # impaired" (a bare "poor" or "impaired" may be moderate, above the contrast threshold)
    r"(?:very|extremely|severely|profoundly)\s+(?:poor|bad|impaired|reduced|low)\s+"
    r"(?:kidney|renal)\s+function|(?:kidney|renal)\s+function\s+(?:is\s+|was\s+)?"
    r"(?:very|extremely|severely|profoundly)\s+(?:poor|bad|impaired|reduced|low)|"
    r"CKD\s*(?:stage\s*)?(?:4|5|IV|V)\b|severe (?:chronic )?kidney disease|"
    # "stage 5 chronic kidney disease", "chronic kidney disease stage 4"
    r"stage\s*(?:4|5|IV|V)\s+(?:chronic\s+)?(?:kidney|renal)\s+(?:disease|failure)|"
    r"chronic\s+(?:kidney|renal)\s+disease,?\s+stage\s*(?:4|5|IV|V)\b|"
    r"CKD\s*-?\s*(?:[6-9]|[12]\d)\b|"  # CKD has stages 1-5: "CKD18" is an eGFR of 18
    r"acute kidney injury|\bAKI\b|"
    r"(?:haemo|hemo)[- ]?(?:dia)?filtration|renal replacement therapy|"
    r"(?:kidney|renal) transplant (?:has |is )?(?:failed|failing|failure|rejected)|"
    # "kidneys work at about a fifth of normal" (a percentage is read as an eGFR: KIDNEY_PERCENT)
    r"kidneys?\s+(?:\w+\s+){0,4}(?:a|one)[- ](?:fifth|quarter|sixth|tenth)\s+of\s+normal|"
    # waiting for a kidney: end-stage kidney disease
    r"(?:waiting list|wait list|waitlist|awaiting|listed)\s+(?:\w+\s+){0,2}"
    r"(?:kidney|renal)\s+transplant|"
    # a creatinine of 250 micromol/L or more (no mg/dL value has three digits), or its
    # equivalent in mg/dL, 2.8 or more ("a creatinine of 4.2 mg/dL")
    r"creatinine\s+(?:is\s+|of\s+|was\s+|at\s+|=\s*|:\s*)?(?:(?:2[5-9]\d|[3-9]\d\d|1\d{3})\b|"
    r"(?:(?:[3-9]|1\d)(?:\.\d+)?|2\.[89]\d*)\s*mg\s*/\s*dl\b)|"
    # a creatinine that has doubled or tripled is an acute kidney injury; kidneys said to fail
    r"creatinine\s+(?:\w+\s+){0,3}\(?(?:doubled|tripled|trebled|quadrupled)|"
    r"(?:doubled|tripled|trebled|quadrupled|doubling|tripling)\s+(?:of\s+)?(?:the\s+|her\s+|his\s+)?"
    r"creatinine|failing kidneys?|kidneys?\s+(?:are\s+|is\s+|have\s+|has\s+)?(?:failing|failed|"
    r"packed up|shut down|stopped working)|"
    # a creatinine still climbing is a kidney injury under way: "urea and creatinine climbing"
    r"creatinine\s+(?:is\s+|are\s+|still\s+|keeps?\s+|has\s+been\s+)*(?:climbing|rising|"
    r"going up|shooting up)|(?:climbing|rising|soaring)\s+(?:urea\s+and\s+)?creatinine)"
)
# Kidney function as a percentage of normal ("kidney function 15%", "kidneys work at about 15
# per cent"): read like an eGFR, whose normal is about 100
KIDNEY_PERCENT = (
    r"\bkidney(?:s|\s+function)?\s+(?:\w+\s+){0,3}(?:about\s+|around\s+|only\s+|roughly\s+)?"
    r"(\d{1,3})\s?(?:%|per\s?cent)"
)
# iodinated contrast agents by generic and brand name
CONTRAST_AGENTS = (
    r"(?:iohexol|iopamidol|iodixanol|ioversol|iopromide|iomeprol|iobitridol|diatrizoate|"
    r"omnipaque|visipaque|isovue|ultravist|optiray|iomeron|xenetix|niopam)"
)
# the words of an allergy, and the signs of a reaction, shared by the wordings below
ALLERGY = r"(?:allerg\w*|anaphyla\w*|reaction)"
SIGNS = r"hives|urticaria|rash|wheez\w*|bronchospasm|anaphyla\w*"
IODINATED_ALLERGY = (
    # an allergy or reaction to a named agent: "Allergy list: iohexol: anaphylaxis", "Hx
    # iohexol anaphylaxis", "hives after Omnipaque"
    r"(?:allerg\w*|anaphyla\w*|reaction|hives|urticaria|intoleran\w*)[^.;]{0,30}\b"
    + CONTRAST_AGENTS
    + r"\b|\b"
    + CONTRAST_AGENTS
    + r"\b\W{0,3}(?:\w+\W+){0,2}(?:allerg\w*|anaphyla\w*|reaction|hives|urticaria|rash|"
    r"swell\w*|swollen)|"
    + ALLERGY
    + r"\s+(?:\w+\s+){0,3}(?:iodinated|iodine|CT|x-ray)?\s*contrast|contrast\s+allerg\w*|"
    r"(?:iodinated|iodine|CT)\s+contrast\s+(?:allerg\w*|reaction)|"
    + ALLERGY
    + r"\s+(?:\w+\s+){0,3}(?:CT|x-ray|contrast|iodine)\s+dye|"
    r"(?:CT|x-ray|contrast|iodine)\s+dye\s+(?:allerg\w*|reaction)"
    # "hives and wheeze after iodinated contrast", "a rash all over after the dye used for CT"
    r"|(?:" + SIGNS + r"|angio-?o?edema|reaction)\s+"
    r"(?:(?:and|or)\s+\w+\s+|all over\s+)?(?:after|following|to|with|from)\s+(?:an?\s+|the\s+)?"
    r"(?:\w+\s+){0,2}(?:contrast|(?<!hair\s)dye)\b|\bcontrast\s+(?:reaction|anaphyla\w*)"
    # request-form shorthand lists the reaction beside its cause: "hives, wheezing, CT contrast",
    # "swollen face, contrast angiogram", "hives, throat tight, CT two years ago"
    r"|(?:" + SIGNS + r"|angio-?o?edema|throat tight\w*|"
    r"swollen (?:face|lips?|tongue|throat))(?:\s*,\s*[\w-]+(?:\s[\w-]+)?){0,2}"
    r"\s*,\s*(?:(?:CT|iodinated|iodine|IV)\s+(?:contrast|dye)\b|contrast\s+(?:angiogra\w*|CT|scan|"
    r"study|injection)|CT\s+(?:\w+\s+){0,2}ago\b)"
    # a reaction during or after a scan, or within minutes of its contrast: "wheezed and passed
    # out during a CT", "a rash all over after CT scans" (a plain CT gives no rash), "a rash
    # within minutes of contrast at her last scan"
    r"|(?:" + SIGNS + r"|reaction|passed out|collaps\w*|"
    r"faint\w*|swollen|swell\w*|puff\w*)(?:\s+\w+){0,4}\s+(?:during|at|in|after|following)\s+"
    r"(?:an?\s+|the\s+|his\s+|her\s+)?(?:last\s+|previous\s+)?(?:CT|angiogra\w*|"
    r"contrast (?:scan|study))\b"
    r"|(?:" + SIGNS + r"|swell\w*|swollen|reaction)(?:\s+\w+){0,6}\s+"
    r"within\s+(?:\w+\s+){0,2}of\s+(?:the\s+)?(?:contrast|dye)\b"
    # a swollen airway after it: "swollen throat shut after iodinated contrast", "face and lips
    # that blew up after the contrast injection"
    r"|(?:(?:swollen|swell\w*)\s+(?:\w+\s+){0,2}(?:throat|tongue|lips?|face|airway)|(?:throat|"
    r"tongue|lips?|face|airway)\s+(?:\w+\s+){0,2}(?:swell\w*|swollen|clos\w*|shut|tight\w*|"
    r"(?:blew|blown|puffed|ballooned)\s+up))"
    r"(?:\s+\w+){0,2}\s+(?:after|following|from|with|to)\s+(?:an?\s+|the\s+)?(?:\w+\s+){0,2}"
    r"(?:contrast|dye)\b"
    # a collapse after it: "collapsed with low blood pressure after contrast for a CT"
    r"|(?:collaps\w*|faint\w*|low blood pressure|hypotensi\w*|shock)(?:\s+\w+){0,4}\s+(?:after|"
    r"following|from)\s+(?:an?\s+|the\s+)?(?:\w+\s+){0,2}(?:contrast|dye)\b"
    # told never to have it again: "told never to have X-ray dye again after a bad reaction"
    r"|\bnever\s+(?:to\s+)?(?:have|having|be\s+given|being\s+given|receive|receiving|get|"
    r"getting)\s+(?:[\w-]+\s+){0,2}(?:contrast|dye)\s+again\b"
)  # "a severe reaction to CT dye in the past", "hives and wheeze after iodinated contrast"
# The net under the wordings above: a reaction word within eight words of a contrast word, in
# one clause ("needed adrenaline in the scanner after her last contrast injection", "a red alert
# for iodine contrast", "throat swelling, X-ray dye"). Each fresh batch of requests had found a
# reaction worded in a way no pattern above listed; this reads the words, not the phrasing. Not
# when the same stretch says it was tolerated, names MRI contrast or another allergen.
REACTION_WORDS = (
    r"react\w*|allerg\w*|anaphyla\w*|adrenaline|epinephrine|epi-?pens?|resus\w*|crash team|hives|"
    r"urticaria\w*|rash\w*|itch\w*|wheez\w*|swell\w*|swollen|blew up|blown up|puff\w* up|"
    r"collaps\w*|alert|premedicat\w*|steroid cover|intoleran\w*|avoid\w*|contra-?indicat\w*|"
    r"flagged|antihistamine|blotch\w*|welts?|weals?|wheals?|struggl\w* to breathe"
)
# contrast by name, or the studies that always inject it ("lips swelled during a coronary
# angiogram", "a severe reaction to the IVP injection", "after the injection for a CT")
CONTRAST_NAMES = (
    r"contrast|(?<!hair )dye|iodinated|iodine|radiocontrast|angiogra\w*|IVP|IVU|urogra\w*|"
    r"venogra\w*|injection (?:for|at|during|given for|before) (?:\w+ ){0,2}(?:CT|scan)|"
    + CONTRAST_AGENTS
)
# up to ten words apart in one sentence ("swelling and pain in her eyes and lips after an IVU")
_GAP = r"(?:[^.;\n\w]+[\w'/-]+){0,10}?[^.;\n\w]+"
REACTION_NEAR_CONTRAST = (
    rf"\b(?:{REACTION_WORDS}){_GAP}(?:{CONTRAST_NAMES})\b|"
    rf"\b(?:{CONTRAST_NAMES}){_GAP}(?:{REACTION_WORDS})\b"
)
GADOLINIUM_ALLERGY = ALLERGY + r"\s+(?:\w+\s+){0,3}gadolinium|gadolinium\s+(?:allerg\w*|reaction)"
# said anywhere, this outweighs an "MRI-conditional" elsewhere (a form's field label)
NOT_MRI_SAFE = (
    r"\bnon[- ]?MRI?[- ]conditional|\bnot MRI?[- ](?:safe|conditional|compatible)|MRI?[- ]unsafe"
    # whatever the implant is called: "a bionic ear that cannot go in a scanner", "must not go
    # near an MRI scanner", "not suitable for MRI"
    r"|\b(?:can ?not|can't|must not|mustn't|should not|shouldn't|not allowed to|unable to|never)\s+"
    r"(?:go|be put|be placed|be scanned|enter|have an?)\s+(?:\w+\s+){0,3}"
    r"(?:MRI?|scanners?|magnet)\b"
    r"|\bnot (?:suitable|safe) for (?:an? )?MRI?\b|\bMRI? (?:is |was )?contra-?indicated"
)
MRI_UNSAFE = (
    NOT_MRI_SAFE + r"|"
    r"\b(?:pacemaker|\bICD\b|defibrillator|CRT-?[DP]\b|cochlear implant|bionic ear|"
    r"metal(?:lic)? (?:fragment|foreign body|sliver|splinter|shard|filing|fleck|chip|speck|"
    r"particle)|(?:fragment|sliver|splinter|shard|filing|fleck|chip|speck|particle)s? of metal|"
    r"aneurysm clip|neurostimulator)"
    # an implanted stimulator or retained metal from a wound: "spinal cord stimulator for pain",
    # "shrapnel near his spine", "bullet fragments in the chest", "a bullet lodged in his neck"
    r"|\b(?:spinal cord|spinal|deep brain|brain|vagus|vagal|sacral|phrenic|implanted)\s+"
    r"(?:nerve\s+)?stimulator|\bshrapnel\b|\bbullet\s+fragments?\b|\bretained\s+bullet|"
    r"\b(?:shotgun|air ?gun)\s+pellets?\b|\bbullet\s+(?:\w+\s+){0,2}lodged|\blodged\s+bullet"
    # metal (iron filings, steel, swarf) in or taken from an eye (some may remain), a clip on
    # an aneurysm by any word order
    r"|\b(?:metal|iron|steel|swarf|filings?)\b[^.;]{0,30}\b(?:in|from|into)\s+"
    r"(?:his\s+|her\s+|the\s+|their\s+|an?\s+)?"
    r"(?:left\s+|right\s+)?eyes?\b|\bclips?\s+(?:on|for)\s+(?:an?\s+|the\s+|his\s+|her\s+)?"
    r"(?:\w+\s+)?aneurysm|\baneurysm\s+(?:was\s+|had\s+been\s+)?clipped|"
    r"\bclipped\s+(?:\w+\s+)?aneurysm"
)
# contrast given before without harm, or no reaction to it: the reader must not add one
CONTRAST_TOLERATED = (
    r"\b(?:contrast|dye)\b(?:\s+[\w-]+){0,6}\s+without\s+(?:any\s+)?(?:\w+\s+)?(?:problems?|"
    r"issues?|reactions?|complications?|incident)|tolerated\s+(?:\w+\s+){0,2}(?:contrast|dye)|"
    r"no\s+(?:known\s+|previous\s+|prior\s+)?(?:contrast|dye)\s+(?:allerg\w*|reactions?)|"
    r"no\s+(?:known\s+|previous\s+|prior\s+)?(?:allerg\w*|reactions?)\s+to\s+(?:iodinated\s+|"
    r"IV\s+|CT\s+)?(?:contrast|dye)"
    # the warmth every injection gives is no reaction: "felt only a warm flush, which passed"
    r"|\b(?:contrast|dye)\b(?:\s+[\w-]+){0,6}\s+only\s+(?:a\s+)?(?:warm|hot)\s+"
    r"(?:flush|feeling|sensation)"
    # form shorthand: "iodine dye, coronary angiogram, no problems"
    r"|\b(?:contrast|dye)\b(?:[\s,]+[\w-]+){0,5}[\s,]+(?:no|nil)\s+(?:problems?|issues?|"
    r"reactions?|complications?)\b"
    # never given contrast, so never reacted to it ("she has never had contrast"; not "never had
    # contrast again after ..." nor "since the reaction")
    r"|\b(?:never|not)\s+(?:been\s+given|had|received)\s+(?:any\s+)?(?:IV\s+|iodinated\s+|"
    r"X-ray\s+)?(?:contrast|dye)\b(?![^.;]{0,40}\b(?:since|again|after|because)\b)"
)
# an allergy to something other than contrast ("shellfish allergy", "allergic to penicillin"):
# no contraindication, so the learned reader may not read it as a contrast reaction when the
# request says nothing of contrast (the rules read every contrast wording they know first)
OTHER_ALLERGEN = (
    r"(?:shellfish|seafood|prawns?|shrimps?|crab|lobster|fish|penicillins?|amoxicillin|"
    r"co-amoxiclav|cephalosporins?|sulph?a|sulfonamides?|nuts?|peanuts?|latex|eggs?|bee|wasp|"
    r"stings?|codeine|morphine|aspirin|NSAIDs?|ibuprofen|plasters?)"
)
# kidneys stated to work normally: the reader must not add kidney failure ("type 2 diabetes and
# normal kidney function" was read as failure)
KIDNEY_NORMAL = (
    r"\b(?:normal|good|preserved)\s+(?:kidney|renal)\s+function|\b(?:kidney|renal)\s+function"
    r"\s+(?:[\w']+\s+){0,4}(?:is|was|are|were)\s+(?:(?!not\b|never\b)\w+\s+)?(?:normal|fine|good)\b|"
    r"\bnormal\s+(?:creatinine|U\s?&\s?Es?|kidneys?)\b"
)
OTHER_ALLERGY = (
    ALLERGY
    + r"\s+(?:\w+\s+){0,3}"
    + OTHER_ALLERGEN
    + r"\b|\b"
    + OTHER_ALLERGEN
    + r"\s+(?:\w+\s+)?"
    + ALLERGY
)
CONTRAST_WORDS = r"\b(?:contrast|dye|iodinat\w*|radiocontrast|" + CONTRAST_AGENTS + r")\b"
MRI_OK = r"(?<!non-)(?<!non )(?<!not )(?<!not an )\bMRI?[- ](?:conditional|safe|compatible)"
RED_FLAGS = (
    r"(?:cancer|malignan\w*|metasta\w*|myeloma|lymphoma|leuk\w*mia|carcinoma|melanoma|sarcoma|"
    r"tumou?r|weight loss|"
    r"fever\w*|febrile|neurological deficit|inject\w* drugs|"
    r"deficit|weakness|numbness|numb|saddle an\w*|saddle (?:area|region)|cauda equina|"
    r"incontinen\w*|urinary retention|(?:bladder|bowel) control|"
    r"(?:trouble|difficulty|problems?|unable to|can't|cannot)\s+(?:pass|passing|empty|emptying)\s+"
    r"(?:urine|water|(?:his |her |the )?bladder)|"
    r"retention|IV drug|intravenous drug|immunosupp\w*|steroid|osteoporo\w*|night pain|"
    r"worse at night|pain at night|nocturnal pain|"
    r"red flags?)"
)
LOW_PRETEST = (
    r"low (?:pre-?test|clinical) probability|low pretest|"
    r"wells (?:score )?(?:of |is |was )?(?:[0-1]\b|low|unlikely)|low wells|PE unlikely|"
    r"(?:negative|normal) d-?dimer|d-?dimer:? (?:test |level |result )?(?:was |is )?(?:also )?"
    r"(?:negative|neg\b|-ve\b|normal)|wells (?:score )?(?:was |is )?(?:also )?negative|"
    r"PERC negative|"
    r"PERC rule negative"
)
# A high clinical probability sends a suspected embolism to imaging whatever the D-dimer says
HIGH_PRETEST = (
    r"high (?:pre-?test |clinical )?probability|high pretest|PE likely|"
    r"wells (?:score )?(?:of |is |was )?(?:[5-9]|1[0-2]|high|likely)\b"
)
RULE_NEGATIVE = (
    r"(?:ottawa|nexus|canadian(?: c-spine|"
    r" ct head)?)(?:\s+\w+){0,3}\s+(?:rules?\s+)?negative|negative (?:ottawa|nexus|"
    r"canadian)|rules? negative|no bone tenderness|walking normally|(?<!un)\bable to (?:walk|"
    r"bear weight)|no risk factors?|low[- ]risk (?:by|according)"
)
ANTICOAGULATED = (
    r"\b(?:warfarin|apixaban|rivaroxaban|edoxaban|dabigatran|anticoagul\w*|heparin|DOAC|"
    r"coumadin|clopidogrel)\b"
)
XRAY_NEGATIVE = (
    r"\b(?:x-?rays?|radiographs?|films?|plain films?)\s+(?:\w+\s+){0,2}(?:were|was|are|is)?\s*"
    r"(?:negative|normal|unremarkable|clear)\b|\b(?:negative|normal|unremarkable)\s+(?:\w+\s+)"
    r"{0,2}(?:x-?rays?|radiographs?|films?)\b|\b(?:x-?rays?|radiographs?|films?)\s+(?:[\w-]+\s+){0,6}"
    r"(?:showing|show|showed|shows|revealed|found)\s+no\s+(?:signs?\s+of\s+)?(?:injury|fracture|"
    r"abnormality|bony injury|bon[ey] changes?|erosions?|bone destruction|osteomyelitis)\b"
    # form shorthand: "hip X-rays no fracture", "XR: nil fracture"
    r"|\b(?:x-?rays?|XR|radiographs?|films?)\s*[:-]?\s*(?:no|nil)\s+(?:acute\s+|obvious\s+)?"
    r"(?:fracture|bony injury|abnormality)\b"
    r"|\bno\s+(?:\w+\s+){0,2}(?:fracture|bony injury)\s+"
    r"(?:seen\s+|shown\s+)?on\s+(?:the\s+)?(?:x-?rays?|radiographs?|films?)\b"
)
MALE = r"\b(?:man|male|boy|gentleman|he|his|\d{1,2}\s?[MB])\b"
FEMALE = r"\b(?:woman|female|girl|lady|she|her|\d{1,2}\s?[FG]|pregnan\w*)\b"


def iodinated_reaction(text: str, somebody_else: bool = False) -> re.Match[str] | None:
    """A stated reaction to iodinated contrast (one to MRI contrast is none). Safety facts
    are read even inside an open list after a negation (see ``find_unnegated``). A relative's
    reaction is none; ``somebody_else`` finds such a one instead."""

    def skip(t: str, m: re.Match[str]) -> bool:
        return other_person(t, m) != somebody_else

    return find_unnegated(
        IODINATED_ALLERGY,
        text,
        unless=r"gadolinium|\bMRI?\b",
        open_lists=False,
        skip=skip,
    ) or find_unnegated(
        REACTION_NEAR_CONTRAST,
        text,
        unless=r"gadolinium|\bMRI?\b|\bno\s+(?:\w+\s+)?(?:reaction|problem|issue|allerg)|without|"
        r"tolerat|\bnever\s+react|" + OTHER_ALLERGEN,
        open_lists=False,
        skip=skip,
    )


def gadolinium_reaction(text: str) -> re.Match[str] | None:
    """A stated reaction to gadolinium."""
    return find_unnegated(GADOLINIUM_ALLERGY, text, open_lists=False, skip=other_person)


def kidney_failure(text: str, somebody_else: bool = False) -> re.Match[str] | None:
    """Stated kidney failure or injury in words (an eGFR or percentage is read apart); a
    relative's is none (``somebody_else`` finds such a one instead)."""
    return find_unnegated(
        KIDNEY_FAILURE,
        text,
        open_lists=False,
        skip=lambda t, m: other_person(t, m) != somebody_else,
    )


class Facts(BaseModel):
    """What the request says about the patient, with the evidence for each condition."""

    age_years: float | None = None
    sex: str | None = None
    pregnant: bool = False
    pregnancy_stated: bool = Field(
        False, description="The request says whether she is pregnant (either way)"
    )
    egfr: float | None = None
    conditions: list[str] = Field(default_factory=list)
    mri_safe_stated: bool = Field(
        False, description="The request calls the implant MRI-conditional or MRI-safe"
    )
    contrast_tolerated: bool = Field(
        False, description="The request says contrast was given without harm, or no reaction"
    )
    other_allergy_only: bool = Field(
        False, description="The request names an allergy to something else and no contrast"
    )
    kidney_normal_stated: bool = Field(
        False, description="The request says the kidneys work normally (and names no failure)"
    )
    evidence: dict[str, str] = Field(default_factory=dict)
    read_by_reader: dict[str, str] = Field(
        default_factory=dict,
        description="Facts the learned reader added (the rules did not read them): to confirm",
    )
    set_aside: dict[str, str] = Field(
        default_factory=dict,
        description="Safety facts the request states of somebody else or of the past (a"
        " relative's contrast reaction, a previous pregnancy), by reader fact: not the"
        " patient's now, so not assumed (the learned reader may not add them back); to confirm",
    )

    def has(self, condition: str) -> bool:
        return condition in self.conditions


def _age(text: str) -> tuple[float | None, str]:
    for pattern, scale in AGE_PATTERNS:
        for m in re.finditer(pattern, text, re.I):
            after = text[m.end() : m.end() + 3]
            if "/" in after or re.match(r"\s?(?:weeks? (?:pregnant|gestation)|mm|cm|ml|mg)", after):
                continue  # "30/40" or "28 weeks pregnant" is a gestation, not an age
            value = int(m.group(1)) * scale
            if value <= 120:
                return value, m.group(0)
    return None, ""


MARKUP = re.compile(r"\*\*|__|`")


def plain_request(request: str) -> str:
    """The request without markdown emphasis ("patient aged **67**" -> "patient aged 67"),
    which a form, a chat window or a model may add and which splits the words a rule reads."""
    return MARKUP.sub("", request or "")


def parse_request(request: str, extra_conditions: tuple[str, ...] = ()) -> Facts:
    """Facts from the request text; ``extra_conditions`` add known conditions explicitly."""
    text = plain_request(request).strip()
    if not text:
        raise RadgenError("the clinical request is empty")
    for c in extra_conditions:
        if c not in CONDITIONS:
            raise RadgenError(f"unknown condition '{c}'; choose from {sorted(CONDITIONS)}")
    conditions: dict[str, str] = {c: "given" for c in extra_conditions}
    age, age_text = _age(text)
    facts = Facts(age_years=age)
    if age is not None:
        facts.evidence["age"] = age_text
    if (age is not None and age < 18) or (age is None and find_unnegated(CHILD_WORDS, text, False)):
        conditions["child"] = age_text or find_unnegated(CHILD_WORDS, text, False).group(0)  # type: ignore[union-attr]
    if (age is not None and age < 2) or (age is None and find_unnegated(INFANT_WORDS, text, False)):
        conditions["infant"] = age_text or "infant"
    if (age is not None and age >= 65) or re.search(r"\belderly\b", text, re.I):
        conditions["elderly"] = age_text or "elderly"
    not_pregnant = bool(re.search(NOT_PREGNANT, text, re.I))
    # safety facts are read even inside an open list after a negation (see find_unnegated)
    if not not_pregnant and (
        m := find_unnegated(
            PREGNANT,
            text,
            open_lists=False,
            skip=lambda t, m: past_pregnancy(t, m) or other_person(t, m),
        )
    ):
        conditions["pregnant"] = m.group(0)
    facts.pregnant = "pregnant" in conditions
    facts.pregnancy_stated = facts.pregnant or not_pregnant
    if not facts.pregnancy_stated and (
        m := find_unnegated(PREGNANT, text, open_lists=False, skip=_not_set_aside)
    ):
        facts.set_aside["pregnant"] = m.group(0)
    if m := re.search(EGFR, text, re.I) or re.search(KIDNEY_PERCENT, text, re.I):
        facts.egfr = float(m.group(1))
        if facts.egfr < 30:
            conditions["iodinated_contraindicated"] = m.group(0)
    if m := kidney_failure(text):
        conditions["iodinated_contraindicated"] = m.group(0)
    elif m := kidney_failure(text, somebody_else=True):
        facts.set_aside["kidney"] = m.group(0)
    if m := iodinated_reaction(text):
        conditions["iodinated_contraindicated"] = m.group(0)
    elif m := iodinated_reaction(text, somebody_else=True):
        facts.set_aside["contrast_reaction"] = m.group(0)
    if m := gadolinium_reaction(text):
        conditions["gadolinium_contraindicated"] = m.group(0)
    if (m := find_unnegated(MRI_UNSAFE, text, open_lists=False, skip=other_person)) and (
        re.search(NOT_MRI_SAFE, text, re.I) or not re.search(MRI_OK, text, re.I)
    ):
        conditions["mri_contraindicated"] = m.group(0)
    elif not m and (
        m := find_unnegated(
            MRI_UNSAFE, text, open_lists=False, skip=lambda t, m: not other_person(t, m)
        )
    ):
        facts.set_aside["mri_device"] = m.group(0)  # "his wife has a pacemaker"
    facts.mri_safe_stated = bool(re.search(MRI_OK, text, re.I)) and not re.search(
        NOT_MRI_SAFE, text, re.I
    )
    facts.contrast_tolerated = bool(re.search(CONTRAST_TOLERATED, text, re.I))
    facts.other_allergy_only = bool(re.search(OTHER_ALLERGY, text, re.I)) and not re.search(
        CONTRAST_WORDS, text, re.I
    )
    facts.kidney_normal_stated = bool(re.search(KIDNEY_NORMAL, text, re.I))
    if not re.search(r"\b(?:no|without|absent) red flags?\b", text, re.I) and (
        m := find_unnegated(RED_FLAGS, text)
    ):
        conditions["red_flags"] = m.group(0)
    for name, pattern in (
        ("low_pretest", LOW_PRETEST),
        ("high_pretest", HIGH_PRETEST),
        ("rule_negative", RULE_NEGATIVE),
    ):
        if m := re.search(pattern, text, re.I):  # these carry their own negation words
            conditions[name] = m.group(0)
    if m := re.search(XRAY_NEGATIVE, text, re.I):  # the first test was done and was normal
        conditions["xray_negative"] = m.group(0)
    if m := find_unnegated(ANTICOAGULATED, text):  # "not on anticoagulants" is not anticoagulated
        conditions["anticoagulated"] = m.group(0)
    if facts.pregnant or re.search(FEMALE, text, re.I):
        facts.sex = "female"
    elif re.search(MALE, text, re.I):
        facts.sex = "male"
    facts.conditions = sorted(conditions)
    facts.evidence.update(conditions)
    return facts
