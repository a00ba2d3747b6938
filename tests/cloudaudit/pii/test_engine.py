"""Field decisions: thresholds, header context, country scoping, free text, masking, bounds."""

from __future__ import annotations

import random

import pytest
from stdnum.jp import in_

from cloudaudit.model import TEXT_FIELD, PiiType, Sample
from cloudaudit.pii import detect_field, detect_sample, engine
from cloudaudit_demo import synth


def _values(pii_type: PiiType, country: str, n: int, seed: int = 1) -> list[str | None]:
    rng = random.Random(seed)
    return [synth.value(pii_type, country, rng) for _ in range(n)]


def _codes(n: int, seed: int = 2) -> list[str | None]:
    rng = random.Random(seed)
    return [f"SR-{rng.randrange(10000, 99999)}" for _ in range(n)]


def _my_numbers(n: int) -> list[str | None]:
    """12-digit numbers that pass the My Number check digit (and so look like IDs)."""
    rng = random.Random(5)
    found: list[str | None] = []
    while len(found) < n:
        body = f"{rng.randrange(10**10, 10**11)}"
        found.append(body + in_.calc_check_digit(body))
    return found


def test_one_stray_identifier_does_not_mark_a_column() -> None:
    values = _codes(100)
    values[37] = synth.value(PiiType.NATIONAL_ID, "TH", random.Random(1))
    assert detect_field("remarks_code", values, "TH").pii == ()


def test_a_column_of_identifiers_is_marked_with_counts_and_a_masked_example() -> None:
    values = [*_values(PiiType.NATIONAL_ID, "TH", 80), None, "", "  ", "N/A"]
    result = detect_field("column_4", values, "TH")
    assert result.rows_sampled == 84
    assert result.non_empty == 81  # "N/A" is a value, the blanks are not
    (match,) = result.pii
    assert match.pii_type is PiiType.NATIONAL_ID
    assert match.matches == 80
    assert match.detectors == ("th_pin",)
    assert 0.5 < match.confidence <= 1.0
    shown = match.masked_example.lstrip("*")
    assert 0 < len(shown) <= 4
    assert any(v is not None and v.endswith(shown) for v in values)


def test_header_context_lowers_the_threshold() -> None:
    values = _values(PiiType.NATIONAL_ID, "JP", 40) + _codes(60)
    assert detect_field("code", values, "JP").pii == ()
    assert [m.pii_type for m in detect_field("マイナンバー", values, "JP").pii] == [PiiType.NATIONAL_ID]


def test_other_countries_identifiers_need_their_name_in_the_header() -> None:
    numbers = _my_numbers(50)
    assert detect_field("ref_no", numbers, "JP").pii_types == (PiiType.NATIONAL_ID,)  # local: counted
    assert detect_field("ref_no", numbers, "TH").pii == ()  # foreign, no context: a random number
    assert detect_field("my_number", numbers, "TH").pii_types == (PiiType.NATIONAL_ID,)


def test_random_numbers_are_not_pii() -> None:
    rng = random.Random(9)
    for width in (8, 9, 10, 12, 13, 16):
        values: list[str | None] = [str(rng.randrange(10 ** (width - 1), 10**width)) for _ in range(200)]
        for country in synth.COUNTRIES:
            assert detect_field("column_2", values, country).pii == (), (width, country)


def test_decoys_failing_their_checksum_are_not_pii() -> None:
    rng = random.Random(4)
    for country in synth.COUNTRIES:
        for pii_type in (PiiType.NATIONAL_ID, PiiType.VIN, PiiType.CREDIT_CARD):
            decoys: list[str | None] = [synth.decoy(pii_type, country, rng) for _ in range(60)]
            assert pii_type not in detect_field("column_1", decoys, country).pii_types, (country, pii_type)


@pytest.mark.parametrize("pii_type", [PiiType.PERSON_NAME, PiiType.ADDRESS, PiiType.DATE_OF_BIRTH])
def test_context_types_need_a_header(pii_type: PiiType) -> None:
    headers = {PiiType.PERSON_NAME: "氏名", PiiType.ADDRESS: "住所", PiiType.DATE_OF_BIRTH: "生年月日"}
    values = _values(pii_type, "JP", 60)
    assert detect_field(headers[pii_type], values, "JP").pii_types == (pii_type,)
    headerless = detect_field("column_3", values, "JP").pii
    if pii_type is PiiType.PERSON_NAME:  # issue 17: names are told by their values (pii.names_by_value)
        assert [m.detectors for m in headerless] == [("person_name_by_value",)]
    else:
        assert pii_type not in {m.pii_type for m in headerless}


def test_service_dates_are_not_birth_dates_but_birthdays_are() -> None:
    dates = _values(PiiType.DATE_OF_BIRTH, "TH", 50)
    assert detect_field("service_date", dates, "TH").pii == ()
    assert detect_field("วันเกิด", dates, "TH").pii_types == (PiiType.DATE_OF_BIRTH,)
    assert detect_field("customer.dateOfBirth", dates, "TH").pii_types == (PiiType.DATE_OF_BIRTH,)


def test_excluded_headers_name_something_else() -> None:
    names = _values(PiiType.PERSON_NAME, "AU", 40)
    assert detect_field("customer_name", names, "AU").pii_types == (PiiType.PERSON_NAME,)
    assert detect_field("file_name", names, "AU").pii == ()
    assert detect_field("product_name", names, "AU").pii == ()


def test_full_width_digits_are_read() -> None:
    values = [v.translate(str.maketrans("0123456789-", "０１２３４５６７８９－")) if v else v
              for v in _values(PiiType.PHONE_NUMBER, "JP", 40)]
    assert detect_field("電話番号", values, "JP").pii_types == (PiiType.PHONE_NUMBER,)


def test_free_text_spans_and_their_context() -> None:
    rng = random.Random(8)
    nric = synth.value(PiiType.NATIONAL_ID, "SG", rng)
    nik = synth.value(PiiType.NATIONAL_ID, "ID", rng)
    lines: list[str | None] = [
        "Oil change done. Next service in 6 months.",
        f"Customer NRIC {nric} confirmed at the counter.",
        f"Expatriate customer, NIK {nik}, paid cash.",
    ]
    result = detect_field(TEXT_FIELD, lines, "SG")
    (match,) = result.pii
    assert match.pii_type is PiiType.NATIONAL_ID
    assert match.matches == 2
    assert set(match.detectors) == {"sg_nric_fin", "id_nik"}
    # The same Indonesian number without its name is just a number in Singapore.
    bare = detect_field(TEXT_FIELD, ["Oil change done.", f"Reference {nik} paid cash."], "SG")
    assert bare.pii == ()


def test_labelled_names_and_addresses_in_text() -> None:
    rng = random.Random(6)
    name, address = synth.value(PiiType.PERSON_NAME, "JP", rng), synth.value(PiiType.ADDRESS, "JP", rng)
    lines: list[str | None] = [f"オイル交換済み。氏名：{name}。住所：{address}。次回点検は6ヶ月後。"]
    assert detect_field(TEXT_FIELD, lines, "JP").pii_types == (PiiType.ADDRESS, PiiType.PERSON_NAME)


def test_a_notes_column_is_read_as_text() -> None:
    rng = random.Random(7)
    lines: list[str | None] = ["Tyres rotated, pressure 32 psi and all good."] * 30
    lines[11] = f"Call the owner back on {synth.value(PiiType.PHONE_NUMBER, 'AU', rng)} about the quote."
    assert detect_field("notes", lines, "AU").pii_types == (PiiType.PHONE_NUMBER,)


def test_detect_sample_gives_one_result_per_field_in_order() -> None:
    sample = Sample(format="csv", rows=30, fields={
        "status": ["done"] * 30,
        "email": _values(PiiType.EMAIL_ADDRESS, "MY", 30),
        "empty": [None] * 30,
    })
    results = detect_sample(sample, "my")
    assert [r.field for r in results] == ["status", "email", "empty"]
    assert [r.pii_types for r in results] == [(), (PiiType.EMAIL_ADDRESS,), ()]
    assert results[2].non_empty == 0


def test_work_per_field_is_bounded_and_counts_extrapolated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "MAX_VALUES", 50)
    values = _values(PiiType.EMAIL_ADDRESS, "SG", 400)
    (match,) = detect_field("email", values, "SG").pii
    assert match.matches == 400


def test_results_never_hold_raw_values() -> None:
    rng = random.Random(10)
    for country in synth.COUNTRIES:
        records = [synth.record(country, rng) for _ in range(30)]
        fields: dict[str, list[str | None]] = {k: [r[k] for r in records] for k in synth.RECORD_KEYS}
        dumped = "".join(r.model_dump_json() for r in detect_sample(Sample("csv", fields, 30), country))
        for record in records:
            for value in record.values():
                assert value not in dumped


def test_version_numbers_are_not_ip_addresses() -> None:
    versions: list[str | None] = ["10.0.19041.1", "1.2.3.4", "2.10.0.1"] * 10
    assert detect_field("firmware_version", versions, "JP").pii == ()


def test_pathological_cells_are_not_pii() -> None:
    """Long runs that make naive patterns backtrack (cells are capped at 2,000 characters) are junk,
    not PII, under any field name. Their cost is measured in benchmarks/bounded_parsing.py."""
    cases = ["1" * 2000, "1." * 1000, "a@" + "b." * 999, "1:" * 1000, "品" * 2000, "ab12" * 500, "name: " * 300,
             "12/" * 600, "+1 " * 600, "A1" * 1000, "Address: " + "a, " * 600]
    for value in cases:
        for field in (TEXT_FIELD, "column_1", "address", "name"):
            assert detect_field(field, [value] * 5, "JP").pii == (), (field, value[:12])


def test_prose_without_context_is_not_read_as_weak_identifiers() -> None:
    lines: list[str | None] = [
        "Order 77485786 shipped; see 127.0.0.1 and ::1 for the local mirror.",  # a TFN-valid number, loopback
        "Name: billiard (a package), example point 0.12345, 0.12345.",  # lower-case label value, 0,0 sea
    ]
    assert detect_field(TEXT_FIELD, lines, "AU").pii == ()
    named = detect_field(TEXT_FIELD, ["Customer TFN 77485786 on file.", "Name: Jane Citizen."], "AU")
    assert named.pii_types == (PiiType.NATIONAL_ID, PiiType.PERSON_NAME)


def test_generic_key_path_segments_are_read_with_their_parent() -> None:
    names = _values(PiiType.PERSON_NAME, "VN", 30)
    phones = _values(PiiType.PHONE_NUMBER, "VN", 30)
    assert detect_field("customer.name.first", names, "VN").pii_types == (PiiType.PERSON_NAME,)
    assert detect_field("contacts[].phone.number", phones, "VN").pii_types == (PiiType.PHONE_NUMBER,)
    assert detect_field("vehicle.model.first", names, "VN").pii == ()  # the parent names no PII


@pytest.mark.parametrize(("header", "pii_type"), [("ho_ten", PiiType.PERSON_NAME), ("dia_chi", PiiType.ADDRESS),
                                                 ("ngay_sinh", PiiType.DATE_OF_BIRTH)])
def test_vietnamese_headers_typed_without_diacritics(header: str, pii_type: PiiType) -> None:
    assert detect_field(header, _values(pii_type, "VN", 30), "VN").pii_types == (pii_type,)
