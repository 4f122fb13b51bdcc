"""Knowledge base: chunking, persistence, hybrid fusion, citations, incremental updates."""

import pytest

from radgen.errors import RadgenError
from radgen.text.llm.fake import FakeBackend
from radgen.text.rag.answer import NOT_FOUND, answer_question, resolve_citations
from radgen.text.rag.chunking import chunk_file, chunk_markdown
from radgen.text.rag.store import KnowledgeBase, rrf_fuse, starter_documents

GUIDE = """# Guide

## Renal colic
Low-dose non-contrast CT of the abdomen and pelvis is the reference test for stones.

Ultrasound comes first in pregnancy.

## Stroke
Non-contrast CT of the head first, then CT angiography.
"""


def test_chunks_follow_sections_and_never_cross_them():
    chunks = chunk_markdown(GUIDE, "guide.md", max_words=12)
    assert {c.section for c in chunks} == {"Guide > Renal colic", "Guide > Stroke"}
    assert all("Stroke" not in c.text or c.section.endswith("Stroke") for c in chunks)
    renal = [c for c in chunks if c.section.endswith("Renal colic")]
    assert len(renal) == 2  # two paragraphs do not fit in 12 words together
    long = chunk_markdown("# A\n\n" + "word. " * 50, "x.md", max_words=20)
    assert all(len(c.text.split()) <= 20 for c in long)


def test_unreadable_and_unsupported_files_are_clear(tmp_path):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 not really")
    with pytest.raises(RadgenError, match="unreadable PDF"):
        chunk_file(bad)
    with pytest.raises(RadgenError, match="unsupported document"):
        chunk_file(tmp_path / "image.png")
    latin = tmp_path / "notes.txt"
    latin.write_bytes("Lésion".encode("latin-1"))
    with pytest.raises(RadgenError, match="not UTF-8"):
        chunk_file(latin)


def test_rrf_prefers_chunks_ranked_well_by_both():
    fused = rrf_fuse([[1, 2, 5], [4, 2, 6]])
    assert fused[0][0] == 2  # second in both beats first in only one
    assert [i for i, _ in fused][:3] == [2, 1, 4]
    assert fused[0][1] == pytest.approx(2 / 62)


@pytest.fixture
def kb(tmp_path, embedder):
    (tmp_path / "guide.md").write_text(GUIDE)
    base = KnowledgeBase(tmp_path / "kb.sqlite", embedder)
    base.add_file(tmp_path / "guide.md")
    yield base
    base.close()


def test_empty_knowledge_base_is_a_clear_error(tmp_path, embedder):
    with (
        KnowledgeBase(tmp_path / "empty.sqlite", embedder) as base,
        pytest.raises(RadgenError, match="empty"),
    ):
        base.search("stroke")


def test_index_persists_across_close_and_reopen(kb, tmp_path, embedder):
    before = [(h.row_id, round(h.score, 6)) for h in kb.search("kidney stone imaging", 3)]
    kb.close()
    with KnowledgeBase(tmp_path / "kb.sqlite", embedder) as reopened:
        after = [(h.row_id, round(h.score, 6)) for h in reopened.search("kidney stone imaging", 3)]
    assert before == after
    assert before[0][0] is not None


def test_hybrid_search_and_incremental_add_delete(kb, tmp_path):
    top = kb.search("stroke thrombectomy angiography", 1)[0]
    assert top.chunk.section.endswith("Stroke") and top.dense_rank and top.bm25_rank
    assert kb.add_file(tmp_path / "guide.md") == 0  # unchanged: nothing re-indexed
    extra = tmp_path / "extra.md"
    extra.write_text(
        "# Extra\n\n## Aortic dissection\nCT angiography of the chest, abdomen and pelvis."
    )
    assert kb.add_file(extra) == 1
    assert kb.search("aortic dissection", 1)[0].chunk.section.endswith("Aortic dissection")
    assert kb.delete(extra) == 1
    assert all("dissection" not in h.chunk.text for h in kb.search("aortic dissection", 5))
    assert kb.stats()["documents"] == 1


def test_citations_resolve_to_real_chunks(kb):
    hits = kb.search("renal colic stones", 3)
    cites, invalid = resolve_citations(
        "Use non-contrast CT [1], ultrasound in pregnancy [2, 9].", hits
    )
    assert [c.number for c in cites] == [1, 2] and invalid == [9]
    assert cites[0].text == hits[0].chunk.text and cites[0].source.endswith("guide.md")


def test_answer_says_when_sources_do_not_hold_it(kb):
    no = answer_question("What is the capital of France?", kb, FakeBackend(["NOT IN SOURCES"]))
    assert not no.answered and no.text == NOT_FOUND
    yes = answer_question("How to image renal colic?", kb, FakeBackend(["Non-contrast CT [1]."]))
    assert yes.answered and yes.citations[0].section.endswith("Renal colic")


def test_answer_with_the_real_model_cites_the_starter_pack(tmp_path, embedder, small_llm):
    with KnowledgeBase(tmp_path / "starter.sqlite", embedder) as base:
        for doc in starter_documents():
            base.add_file(doc)
        result = answer_question(
            "Which test first for renal colic in pregnancy?", base, small_llm, k=3
        )
    assert result.hits and result.hits[0].chunk.section
    if result.answered:
        assert all(c.text for c in result.citations)
