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
    """.split()
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
