"""Words that look like PHI but are clinical content: eponyms, anatomy, laterality, report
vocabulary. NER often calls them people or places ("Hodgkin", "LATERAL", "MD")."""

from __future__ import annotations

import re

EPONYMS = frozenset(
    """
    addison alzheimer asperger baker barrett bell bochdalek boerhaave bouchard budd chiari
    colles conn crohn cushing dandy walker down dressler ebstein ehlers danlos erb ewing fallot
    gaucher graves guillain barre hamman hampton hashimoto heberden hirschsprung hodgkin
    holt oram horner huntington kaposi kartagener kawasaki kerley klatskin klinefelter
    krukenberg legg calve perthes lisfranc lou gehrig mallory weiss marfan meckel meig meigs
    menetrier monteggia morgagni osgood schlatter paget pancoast parkinson perthes peyronie
    pott raynaud reiter riedel salter harris schatzki scheuermann schmorl segond sjogren
    smith stein leventhal swyer james takayasu tietze tourette turner virchow von
    hippel lindau recklinghausen willebrand waldenstrom wegener wernicke westermark whipple
    wilms wilson zenker jefferson hangman chance galeazzi bennett rolando maisonneuve
    jones kienbock preiser sever freiberg scheie hurler hunter morquio luschka magendie
    monro sylvius willis wharton stensen hartmann calot glisson treitz vater oddi douglas
    retzius santorini wirsung bartholin cowper skene gerota denonvilliers batson valsalva
    """.split()
)

CLINICAL_WORDS = frozenset(
    """
    lateral medial anterior posterior superior inferior left right bilateral frontal
    pa ap ct mri mr md us xr cxr pet spect dx impression findings history comparison
    indication technique chest lung lungs heart mediastinum pleural effusion pneumothorax
    consolidation opacity atelectasis cardiomegaly normal stable unchanged acute chronic
    thoracic spine vertebra vertebrae rib ribs clavicle diaphragm hilum hilar aorta aortic
    granuloma calcified nodule mass edema pneumonia emphysema copd cabg picc ett ng
    xxxx lobe upper lower middle lingula apex base bases costophrenic angle angles
    lymphoma disease syndrome sarcoma tumor tumour fracture sign lines line
    xray x-ray radiograph views view preop postop cardiac pulmonary exam report tel fax
    patient name physician referring electronically signed dictated accession mrn dob age
    flank lumbar detector sacral cervical abdominal pelvic renal hepatic
    hump hernia diverticulum esophagus knob wires hemidiaphragm ventricle fissure azygos
    hounsfield
    """.split()
) | frozenset(  # report abbreviations of three letters or more, plus BP and HR (field labels)
    """
    bmi bp hr cbd svc ivc lao rao suv dwi swi adc fdg afp inr wbc crp esr prn ecg ekg psa
    flair tirads birads pirads lirads hba1c mmhg bpm egfr
    mdp hdp mag3 psma hmpao pyp dtpa dmsa mibg maa lvef tapse biplane psv edv
    """.split()
)

# Clinical shorthand of three letters or more, as requests and histories write it in capitals
# ("HTN, DM2, CAD", "MVA today", "BMT workup"), written from clinical usage. Apart from
# CLINICAL_WORDS (safe everywhere, zones included) because these count only in a learned hit
# written in capitals, where a typist's initials would not be; two-letter shorthand is left
# out (it cannot be told from initials). Words already in CLINICAL_WORDS are not repeated.
CLINICAL_ABBREVIATIONS = frozenset(
    """
    htn iddm niddm cad chf hfref hfpef ckd esrd aki dvt cva tia nstemi stemi acs afib
    svt pvd pad aaa gerd ugib lgib ibd ibs uti pid hiv aids mrsa vre sob doe pnd abd ruq luq
    rlq llq bmt sct aml cll cml mds nhl dlbcl rcc hcc nsclc sclc crc dka hhs hld osa ards ild
    ipf bph ptx mva mvc gsw etoh ivdu ivda pci ptca ppm aicd avr mvr tavr tavi ngt
    ogt cvc sbp dbp bipap cpap nrb ams sle djd pmr cpr rosc icu ccu nicu picu pacu pcp obgyn
    ivf lmp edd ciwa gcs nihss lftr lft lfts cbc bmp cmp bnp ldh tsh rbc plt ptt aptt ddimer
    pna cap hap vap pjp tbi sdh edh sah ich ivh hie nec rds bpd asd vsd tof cpam lvh
    rvh lbbb rbbb nsr pda lad lcx rca pfo iabp ecmo lvad vad crrt cvvh tpn peg
    ercp mrcp eus egd tace rfa sbrt imrt xrt chemo fna ebus vats tka tha thr tkr orif acl pcl
    mcl lcl tfcc ddd hnp ssx bid tid qid npo lle rle lue rue ble bka
    """.split()
)

# Medical word formation: no person or place name among Faker's many locales ends like this
# (checked when this was written; "Eufemia" is the one name, and it is shorter than a term).
MEDICAL_SUFFIX = re.compile(
    r"(?:itis|osis|oses|a?emia|algia|ectomy|ostomy|otomy|plasty|graphy|scopy|pathy|megaly|"
    r"phagia|plegia|paresis|penia|lysis|trophy|ectasis|gastric|crit|kinesia|pnoea|pnea|uria|"
    r"rrhoea|rrhea|ache|bitus|ocele|phytes?|"
    # anatomical adjectives ("carpometacarpal", "subacromial", "tibiotalar"); none of the
    # person or place names of eight letters or more in Faker's locales ends so
    r"carpal|tarsal|costal|sternal|clavicular|humeral|femoral|tibial|fibular|vertebral|"
    r"cranial|pleural|hepatic|splenic|ureteric|iliac|sacral|geal|axial|oidal|thoracic|"
    r"cervical|lumbar|cardial|arterial|venous|ventricular|atrial|articular|condylar|"
    r"malleolar|glenoid|acromial|scapular|patellar|meniscal|cruciate|talar|calcaneal|"
    r"navicular|phalangeal|trochanteric|acetabular|labral|foraminal|ligamentous|tendinous|"
    r"synovial|capsular|osseous|cortical|medullary)$",
    re.I,
)
# Greek combining forms that begin only medical words ("Osteophytes", "Bronchiectatic"); not
# "para", "hemi", "sub"..., which begin surnames too ("Paraskevopoulos", "Hemingway")
MEDICAL_PREFIX = re.compile(
    r"(?:osteo|cardio|pneumo|broncho|bronchi|hepato|nephro|angio|arthro|spondyl|myelo|neuro|"
    r"gastro|entero|cholecyst|cholangi|pyelo|thrombo|lympho)[a-z]{5,}$",
    re.I,
)


def medical_word_form(word: str) -> bool:
    """A word of eight letters or more built like a medical term ("Colonography",
    "Osteophytes"): no name ends or begins so."""
    if len(word) >= 7 and word.lower().endswith(("ogram", "ograms")):
        return True  # "Urogram", "Venogram": no name in Faker's 32 locales ends so
    return len(word) >= 8 and bool(MEDICAL_SUFFIX.search(word) or MEDICAL_PREFIX.match(word))


# A unit straight after a number makes it a measurement, never an identifier or a date
# ("120 ml", "10-15 beats per minute", "1.2 g/cm3"); years and months are left out (an age
# over 89 is PHI).
MEASUREMENT_UNIT = re.compile(
    r"[ \t]?(?:mm|cm|ml|cc|hu|bpm|beats|kg|mg|mcg|g|mmol|msv|mgy|gy|mbq|mci|kvp?|mas|ms|sec|"
    r"seconds?|min|minutes?|mmhg|cm/s|m/s|%|tesla|cm[23²³]|mm[23²³]|g/cm\S*|degrees?|°|kpa|"
    r"hounsfield)"
    r"(?![A-Za-z0-9])",
    re.I,
)
# The rest of a range before its unit: "100 [and 200 kPa]", "3 [to 5 mm]"
_RANGE_REST = re.compile(r"\s*(?:[-–]|to|and)\s*\d+(?:[.,]\d+)?")


def unit_follows(text: str, pos: int) -> bool:
    """Whether a measurement unit follows ``pos``, straight away or after the rest of a range
    ("90 degrees", "between 100 and 200 kPa"): the number before ``pos`` is a measurement."""
    rest = _RANGE_REST.match(text, pos)
    return bool(
        MEASUREMENT_UNIT.match(text, pos) or (rest and MEASUREMENT_UNIT.match(text, rest.end()))
    )


def is_clinical(word: str) -> bool:
    """True when every token of ``word`` is an eponym or clinical vocabulary.

    Possessives are dropped ("Graves'" and "Crohn's" stay eponyms) and single letters are
    neutral ("Kerley B").
    """
    text = re.sub(r"['’]s?\b", "", word.replace("-", " ")).lower()
    tokens = [t.strip(".,;:()") for t in text.split()]
    tokens = [t for t in tokens if len(t) > 1]
    return bool(tokens) and all(t in EPONYMS or t in CLINICAL_WORDS for t in tokens)
