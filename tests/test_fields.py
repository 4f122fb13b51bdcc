"""The shared config field parsers."""

from radgen.fields import comma_list, comma_list_or_none
from radgen.image.translate.config import TranslateConfig
from radgen.privacy.config import DeidTextConfig


def test_comma_lists_split_and_trim():
    assert comma_list(object, " a, b ,,c ") == ["a", "b", "c"]
    assert comma_list(object, None) == [] and comma_list_or_none(object, None) is None
    assert comma_list(object, ["x"]) == ["x"]


def test_configs_read_comma_lists_from_the_command_line():
    assert DeidTextConfig(src="r.csv", dst="o", column="findings, impression").column == [
        "findings",
        "impression",
    ]
    config = TranslateConfig(model="stargan", pairs="p", domains="t1,t2", steps=1, out="o")
    assert config.domains == ["t1", "t2"]
