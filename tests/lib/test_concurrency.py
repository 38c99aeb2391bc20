"""rupn.lib.concurrency: the three-way merge (pure, property-tested), the signed base, the French message."""

import datetime
import zoneinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rupn.lib.concurrency import (
    MISSING,
    ROW,
    Current,
    VersionConflict,
    fold_choices,
    french_datetime,
    merge,
    merge_fields,
    read_stamp,
    save_merged,
    saved_by,
    stamp,
)

ROWS = ["row-1", "row-2", "row-3", "plan"]
FIELDS = ["holders", "organisation", "sharing"]
VALUES = st.sampled_from(["", "a", "b", "c", ["1"], ["1", "2"]])  # canonical values: lists, not tuples


@st.composite
def edits(draw):
    """A base and two people's edits of it: each changes some fields of some rows (the same field sometimes)."""
    base = {row: {name: draw(VALUES) for name in FIELDS} for row in ROWS}
    mine = {row: dict(fields) for row, fields in base.items()}
    theirs = {row: dict(fields) for row, fields in base.items()}
    for side in (mine, theirs):
        for row, name in draw(st.lists(st.tuples(st.sampled_from(ROWS), st.sampled_from(FIELDS)), max_size=8)):
            side[row][name] = draw(VALUES)
    return base, mine, theirs


@settings(max_examples=300)
@given(edits())
def test_no_change_is_lost_and_clashes_are_exactly_the_fields_both_changed_differently(case):
    base, mine, theirs = case
    merged, clashes = merge(base, mine, theirs)
    clash_keys = {(c.row, c.field) for c in clashes}
    for row in ROWS:
        for name in FIELDS:
            b, m, t = base[row][name], mine[row][name], theirs[row][name]
            both_differently = m != b and t != b and m != t
            assert ((row, name) in clash_keys) == both_differently
            if m != b and not both_differently:
                assert merged[row][name] == m  # my change kept
            if t != b and not both_differently:
                assert merged[row][name] == t  # their change kept
            if m == b and t == b:
                assert merged[row][name] == b


@settings(max_examples=300)
@given(edits(), st.data())
def test_after_choosing_each_clash_keeps_exactly_the_chosen_value_and_every_other_change(case, data):
    """The second person chooses; saving again merges against the version shown: nothing else is lost."""
    base, mine, theirs = case
    merged, clashes = merge(base, mine, theirs)
    shown = stamp(salt="t", version=2, values=theirs, clashes=clashes)
    choices = {f"keep:{c.row}:{c.field}": data.draw(st.sampled_from(["mine", "theirs"])) for c in clashes}
    posted = {row: dict(fields) for row, fields in merged.items()}  # the form shows the merged values
    folded, unsettled = fold_choices(read_stamp(shown, salt="t", version=2), posted, choices)
    assert unsettled == []
    final, again = merge(read_stamp(shown, salt="t", version=2).values, folded, theirs)  # nobody saved since
    assert again == []
    for clash in clashes:
        chosen = choices[f"keep:{clash.row}:{clash.field}"]
        assert final[clash.row][clash.field] == (clash.mine if chosen == "mine" else clash.theirs)
    keys = {(c.row, c.field) for c in clashes}
    for row in ROWS:
        for name in FIELDS:
            if (row, name) in keys:
                continue
            if mine[row][name] != base[row][name]:
                assert final[row][name] == mine[row][name]
            if theirs[row][name] != base[row][name]:
                assert final[row][name] == theirs[row][name]


def test_same_change_by_both_is_no_clash():
    merged, clashes = merge_fields({"a": 1}, {"a": 2}, {"a": 2})
    assert (merged, clashes) == ({"a": 2}, [])


def test_a_row_added_by_one_side_is_kept_and_a_row_removed_by_one_side_goes_unless_the_other_changed_it():
    base = {"r1": {"x": 1}, "r2": {"x": 1}}
    mine = {"r1": {"x": 1}, "r2": {"x": 5}, "new-1": {"x": 3}}
    theirs = {"r9": {"x": 9}}  # they removed r1 and r2, added r9
    merged, clashes = merge(base, mine, theirs)
    assert merged == {"r9": {"x": 9}, "r2": {"x": 5}, "new-1": {"x": 3}}
    assert [(c.row, c.field, c.mine, c.theirs) for c in clashes] == [("r2", ROW, {"x": 5}, MISSING)]


def test_a_tampered_base_or_one_for_another_object_or_version_reads_as_none():
    token = stamp(salt="plan:1", version=3, values={"plan": {"a": 1}})
    assert read_stamp(token, salt="plan:1", version=3).values == {"plan": {"a": 1}}
    assert read_stamp(token, salt="plan:2", version=3) is None
    assert read_stamp(token, salt="plan:1", version=4) is None
    assert read_stamp(token[:-2] + "xx", salt="plan:1", version=3) is None
    assert read_stamp("n'importe quoi", salt="plan:1", version=3) is None
    assert read_stamp("", salt="plan:1", version=3) is None


def test_the_message_says_who_saved_and_when_in_french():
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    when = datetime.datetime(2026, 12, 3, 17, 32, tzinfo=paris)
    assert saved_by("Claire Martin", when) == "Enregistré par Claire Martin le 3 décembre 2026 à 17\xa0h\xa032"
    assert french_datetime(datetime.datetime(2026, 9, 1, 8, 5, tzinfo=paris)) == "1er septembre 2026 à 8\xa0h\xa005"
    assert saved_by(None, None) == "Enregistré par quelqu'un d'autre"
    error = VersionConflict(who="Claire Martin", when=when, version=4)
    assert error.message.startswith("Enregistré par Claire Martin le 3 décembre 2026 à 17\xa0h\xa032 pendant que")
    assert "Rien n'a été enregistré" in error.message


def _saver(log):
    def save(version, values):
        log.append((version, values))
        return values

    return save


def test_save_merged_without_base_refuses_a_stale_version_and_saves_a_current_one():
    current = Current(version=2, values={"": {"a": "theirs"}}, who="Claire", when=None)
    log = []
    with pytest.raises(VersionConflict) as error:
        save_merged(token=None, salt="s", version=1, mine={"": {"a": "x"}}, data={}, load=lambda: current, save=log)
    assert (error.value.clashes, error.value.merged, log) == ([], None, [])
    save_merged(token=None, salt="s", version=2, mine={"": {"a": "x"}}, data={}, load=lambda: current, save=_saver(log))
    assert log == [(2, {"": {"a": "x"}})]


def test_save_merged_merges_onto_the_current_version_and_asks_on_a_clash():
    token = stamp(salt="s", version=1, values={"": {"a": "old", "b": "old"}})
    current = Current(version=2, values={"": {"a": "theirs", "b": "old"}})
    log = []
    mine = {"": {"a": "old", "b": "mine"}}
    save_merged(token=token, salt="s", version=1, mine=mine, data={}, load=lambda: current, save=_saver(log))
    assert log == [(2, {"": {"a": "theirs", "b": "mine"}})]
    with pytest.raises(VersionConflict) as error:
        save_merged(token=token, salt="s", version=1, mine={"": {"a": "mine"}}, data={}, load=lambda: current, save=log)
    assert [(c.field, c.mine, c.theirs) for c in error.value.clashes] == [("a", "mine", "theirs")]
    assert "Rien n'est enregistré tant que vous n'avez pas choisi" in error.value.message


def test_save_merged_merges_again_when_yet_another_save_slips_in():
    token = stamp(salt="s", version=1, values={"": {"a": "old", "b": "old"}})
    versions = iter([Current(2, {"": {"a": "A", "b": "old"}}), Current(3, {"": {"a": "A", "b": "old", "c": "C"}})])
    log = []

    def save(version, values):
        if version == 2:
            raise VersionConflict(version=3)
        log.append((version, values))

    save_merged(
        token=token,
        salt="s",
        version=1,
        mine={"": {"a": "old", "b": "B"}},
        data={},
        load=lambda: next(versions),
        save=save,
    )
    assert log == [(3, {"": {"a": "A", "b": "B", "c": "C"}})]
