"""Forms filled in through LibreOffice 7.4 itself (``tests/fixtures/libreoffice-typed``, made by
its ``make.py`` through LibreOffice's UNO bridge): what was typed reaches its column.

LibreOffice 7.4 drops the controls' tags and keeps a box typed into marked as "showing its
placeholder": the mark alone would make every typed answer blank.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SAMPLE_ROSTER

from mentordocs.collect import collect_forms
from mentordocs.collect.matching import Reference
from mentordocs.generate.packets import generate_packets
from mentordocs.roster import load_roster
from mentordocs.tracking import read_tracking

TYPED = Path(__file__).parent / "fixtures" / "libreoffice-typed"


@pytest.fixture(scope="module")
def packets(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("typed") / "packets"
    generate_packets(load_roster(SAMPLE_ROSTER), out)
    return out


@pytest.mark.parametrize("given", ["packets folder", "roster only"])
def test_answers_typed_in_libreoffice_7_4_reach_their_columns(packets, tmp_path, given):
    tracking = tmp_path / "tracking.xlsx"
    result = collect_forms(
        [TYPED / "P02_terms-of-engagement.docx", TYPED / "my goals.odt"],
        tracking,
        load_roster(SAMPLE_ROSTER),
        packets_dir=packets if given == "packets folder" else None,
        include_confidential=True,
    )
    assert result.new == 2, result.problems
    assert [p for p in result.problems if p.severity == "error"] == []
    returns = {(r.pair_id, r.form): r.values for r in read_tracking(tracking).returns}
    terms = returns["P02", "terms-of-engagement"]
    assert terms["purpose"] == "R1_PURPOSE help Olga settle in"
    assert terms["mentor_sign_name"] == "R1_SIGN Wei Zhang"
    assert terms["mentor_agree"] is True
    goals = returns["P01", "goal-sheet"]
    assert goals["goal_5_goal"] == "R1_ODT_GOAL5 a fifth goal"
    # The boxes nobody typed into still show their prompts, marked so: blank, not the prompt.
    for (pair_id, form), values in returns.items():
        made = Reference.from_bytes((packets / pair_id / f"{pair_id}_{form}.docx").read_bytes())
        assert set(made.placeholders.values()).isdisjoint(values.values()), form
        assert values["purpose" if form == "terms-of-engagement" else "goal_1_goal"]
    assert not read_tracking(tracking).review  # nothing typed was left for review either


def test_text_typed_beside_a_box_goes_to_the_review_sheet(packets, tmp_path):
    # In LibreOffice a box's edge does not show: clicking at the end of its line, or in front
    # of its grey prompt, and typing writes outside the box. Without Track Changes that text
    # was nowhere in the workbook; with it, it was on the Review sheet. Both are now, once.
    tracking = tmp_path / "tracking.xlsx"
    result = collect_forms(
        [TYPED / "P07_terms-of-engagement.docx"],
        tracking,
        load_roster(SAMPLE_ROSTER),
        packets_dir=packets,
    )
    assert result.new == 1
    review = read_tracking(tracking).review
    assert sorted((str(item.text).strip(), item.suggestion) for item in review) == [
        ("R2_AFTER_FIELD or the library", "Where we meet (room, address or video link)"),
        (
            "R2_BEFORE_BOX we would talk to the coordinator.",
            "What we do if it is not working, or one of us wants to end it",
        ),
        ("R2_TC_AFTER lack of time", ""),
    ]  # with the box it was typed beside (the one with Track Changes on: after the label)
    assert {item.why for item in review} == {
        "typed outside the form's fields, so it is no field's answer"
    }
    [warning] = [p for p in result.problems if "typed outside" in p.message]
    assert warning.message.startswith("has 3 piece(s) of text typed outside the form's fields")
    [row] = read_tracking(tracking).returns
    assert "R2" not in " ".join(str(v) for v in row.values.values())  # in no column


def test_a_forms_own_text_beside_its_boxes_is_not_taken_for_typing(packets, tmp_path):
    # The "I agree" check boxes share their line with their label: a form as generated, and
    # one filled in, have nothing typed beside any box.
    from test_roundtrip import fill_docx

    filled = tmp_path / "P03_terms-of-engagement.docx"
    sent = (packets / "P03" / "P03_terms-of-engagement.docx").read_bytes()
    filled.write_bytes(fill_docx(sent, {"purpose": "To learn", "mentor_agree": True}))
    result = collect_forms([filled], tmp_path / "t.xlsx", load_roster(SAMPLE_ROSTER))
    assert result.new == 1 and not read_tracking(tmp_path / "t.xlsx").review


def test_a_printed_pdf_says_which_answers_could_not_be_found_in_its_text(packets, tmp_path):
    # Exported from LibreOffice 7.4 without form fields: the answers found in its text go to
    # the Review sheet; those of the signature block are not found there, and the warning
    # says so instead of suggesting every answer is on the Review sheet.
    result = collect_forms(
        [TYPED / "goals printed.pdf"],
        tmp_path / "tracking.xlsx",
        load_roster(SAMPLE_ROSTER),
        packets_dir=packets,
    )
    [warning] = [p for p in result.problems if "PDF" in p.message]
    assert warning.message.startswith("is a PDF without form fields")
    assert (
        'could not be found in its text ("Mentor\'s name (typed signature)", "Mentee\'s name '
        "(typed signature)\", 'Date the mentor signed', 'Date the mentee signed')"
    ) in warning.message
    review = read_tracking(tmp_path / "tracking.xlsx").review
    assert "R4_GOAL5 pdf answer" in {str(item.text) for item in review}


def test_a_box_typed_in_a_form_of_another_template_version_goes_to_review(tmp_path):
    # The same LibreOffice 7.4 return, as if made from an earlier version of the template
    # (another prompt may stand in its boxes) and collected without the packets folder: what
    # a box still marked as showing its prompt holds cannot be told from that prompt, so it
    # is shown for review, never put in a column as an answer.
    import io
    import zipfile

    source = (TYPED / "P02_terms-of-engagement.docx").read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "docProps/custom.xml":
                version = data.split(b'template_version"><vt:lpwstr>')[1].split(b"<")[0]
                data = data.replace(version, b"1.9+00000000")
            new.writestr(info, data)
    earlier = tmp_path / "P02_terms-of-engagement.docx"
    earlier.write_bytes(out.getvalue())
    tracking = tmp_path / "tracking.xlsx"
    collect_forms([earlier], tracking, load_roster(SAMPLE_ROSTER), include_confidential=True)
    data = read_tracking(tracking)
    [terms] = data.returns
    assert terms.values.get("purpose", "") == ""  # not in the column
    review = {str(item.text): item.why for item in data.review}
    assert review["R1_PURPOSE help Olga settle in"].startswith(
        "LibreOffice 7.4 leaves a box typed into marked as showing its prompt"
    )
    assert "R1_SIGN Wei Zhang" in review
    assert terms.values.get("mentor_agree") is True  # a check box has no prompt


def test_a_box_the_roster_fills_in_since_is_not_given_its_old_prompt_as_answer(tmp_path):
    # P01's goal sheet went out with goal 4 empty (its box showing a prompt); a fourth goal is
    # added to the roster since, and collect runs without the packets folder: the copy made
    # now has goal 4 filled in, so no prompt to compare with. The untouched box's prompt must
    # not become goal 4 in its column; the answer typed into goal 5 still is an answer.
    import openpyxl

    book = openpyxl.load_workbook(SAMPLE_ROSTER)
    book["Goals"].append(["P01", 4, "A fourth goal, added since", "Short-term"])
    roster_path = tmp_path / "roster.xlsx"
    book.save(roster_path)
    tracking = tmp_path / "tracking.xlsx"
    collect_forms([TYPED / "my goals.odt"], tracking, load_roster(roster_path))
    data = read_tracking(tracking)
    [goals] = data.returns
    assert goals.values.get("goal_4_goal", "") == ""  # the prompt every goal box shows:
    assert not data.review  # known as a prompt, blank, nothing to review
    assert goals.values["goal_5_goal"] == "R1_ODT_GOAL5 a fifth goal"


def test_roster_text_beside_a_box_corrected_since_is_not_taken_for_typing(tmp_path):
    # A coordinator's template says "I, {{ mentor.name }}, agree ..." beside the check box;
    # the mentor's name is corrected in the roster after the forms went out. Collected without
    # the packets folder, the pair's copy made now says the new name: the line's text differs,
    # but nobody typed anything beside the box.
    import openpyxl
    from test_templates import _edited_copy

    from mentordocs.generate.packets import generate_packets

    label = '<w:t xml:space="preserve"> I agree to keep this agreement</w:t>'
    folder = _edited_copy(
        tmp_path,
        "confidentiality-agreement",
        label,
        '<w:t xml:space="preserve"> I, {{ mentor.name }}, agree to keep this agreement</w:t>',
    )
    book = openpyxl.load_workbook(SAMPLE_ROSTER)
    book["Pairs"]["B2"] = "Ana María López (before)"
    then = tmp_path / "then.xlsx"
    book.save(then)
    packets = tmp_path / "packets"
    generate_packets(load_roster(then), packets, templates_dir=folder)
    returned = tmp_path / "in" / "P01_confidentiality-agreement.docx"
    returned.parent.mkdir()
    returned.write_bytes((packets / "P01" / returned.name).read_bytes())
    result = collect_forms(
        [returned], tmp_path / "t.xlsx", load_roster(SAMPLE_ROSTER), templates_dir=folder
    )
    assert result.new == 1
    assert not [p for p in result.problems if "typed outside" in p.message]
    assert not read_tracking(tmp_path / "t.xlsx").review


def test_text_typed_after_a_check_box_label_is_found_without_the_packets_folder(packets, tmp_path):
    # "☒ I agree to these terms but only until June": the label is the form's own text, the
    # rest was typed beside the box. Collected without the packets folder (the pair's copy is
    # then made now from the roster), the label is known to be the template's own.
    import io
    import zipfile

    label = '<w:t xml:space="preserve"> I agree to these terms</w:t></w:r>'
    sent = (packets / "P03" / "P03_terms-of-engagement.docx").read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(sent)) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "word/document.xml":
                text = data.decode("utf-8")
                assert label in text
                typed = '<w:r><w:t xml:space="preserve"> but only until June</w:t></w:r>'
                data = text.replace(label, label + typed, 1).encode("utf-8")
            new.writestr(info, data)
    returned = tmp_path / "P03_terms-of-engagement.docx"
    returned.write_bytes(out.getvalue())
    tracking = tmp_path / "tracking.xlsx"
    result = collect_forms([returned], tracking, load_roster(SAMPLE_ROSTER))
    [item] = read_tracking(tracking).review
    assert (str(item.text), item.suggestion) == ("but only until June", "Mentor agrees")
    assert [p for p in result.problems if "typed outside" in p.message]


def test_a_copy_generated_again_after_it_was_sent_is_not_taken_for_the_pairs(tmp_path):
    # P01's terms went out with its meeting place empty (the box showing its prompt); the place
    # is added to the roster and the packets generated again, but not sent again. The copy in
    # the packets folder is no longer the one the pair has (the send log's checksum says so),
    # so the prompt the pair's return still shows in that box, marked as LibreOffice 7.4 marks
    # a box typed into, is never put in the column.
    import re

    import openpyxl
    from click.testing import CliRunner

    from mentordocs.cli import cli
    from mentordocs.generate.packets import generate_packets

    book = openpyxl.load_workbook(SAMPLE_ROSTER)
    column = [cell.value for cell in book["Pairs"][1]].index("Meeting place") + 1
    place = book["Pairs"].cell(2, column).value
    book["Pairs"].cell(2, column).value = None
    then = tmp_path / "then.xlsx"
    book.save(then)
    packets = tmp_path / "packets"
    generate_packets(load_roster(then), packets)
    sent_copy = (packets / "P01" / "P01_terms-of-engagement.docx").read_bytes()
    args = ["send", str(packets), "--roster", str(then), "--outbox", str(tmp_path / "outbox")]
    assert CliRunner().invoke(cli, [*args, "--pair", "P01"]).exit_code == 0
    book["Pairs"].cell(2, column).value = place
    now = tmp_path / "now.xlsx"
    book.save(now)
    generate_packets(load_roster(now), packets, pairs=["P01"])
    assert (packets / "P01" / "P01_terms-of-engagement.docx").read_bytes() != sent_copy

    # The pair's return: its copy as LibreOffice 7.4 saves it (tags dropped, marks kept).
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(sent_copy)) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "word/document.xml":
                data = re.sub(rb"<w:(tag|alias) w:val=\"[^\"]*\"/>", b"", data)
            new.writestr(info, data)
    returned = tmp_path / "in" / "P01_terms-of-engagement.docx"
    returned.parent.mkdir()
    returned.write_bytes(out.getvalue())
    tracking = tmp_path / "tracking.xlsx"
    collect_forms([returned], tracking, load_roster(now), packets_dir=packets)
    [terms] = read_tracking(tracking).returns
    assert terms.values.get("meeting_place", "") == ""
