import pytest

from webcare.job.config import ConfigError, load_config


def write(tmp_path, text):
    path = tmp_path / "webcare.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_default_is_valid():
    config = load_config()
    assert config.route.rules and config.brands
    assert config.classify.brands == config.brands  # top-level brands reach the classifier


def test_unknown_key_names_file_and_key(tmp_path):
    path = write(tmp_path, "route:\n  rules: []\n  defualt: drop\n")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(path) in str(error.value) and "route.defualt" in str(error.value)


def test_bad_value_and_unknown_component_type(tmp_path):
    with pytest.raises(ConfigError, match="pipeline.batch_size"):
        load_config(write(tmp_path, "pipeline: {batch_size: 0}\n"))
    with pytest.raises(ConfigError, match="store"):
        load_config(write(tmp_path, "store: {type: cassandra}\n"))


def test_not_yaml_and_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(write(tmp_path, "route: [unclosed\n"))
    with pytest.raises(ConfigError, match="cannot read config"):
        load_config(tmp_path / "missing.yaml")
    with pytest.raises(ConfigError, match="must be a mapping"):
        load_config(write(tmp_path, "- a\n- b\n"))


def test_named_components_must_have_unique_names(tmp_path):
    tickets = ("tickets:\n"
               "  - {type: webhook, name: desk, url: 'http://127.0.0.1:1/t', secret_env: S}\n"
               "  - {type: webhook, name: desk, url: 'http://127.0.0.1:1/u', secret_env: S}\n")
    with pytest.raises(ConfigError, match=r"ticket sink names must be unique: \['desk'\]"):
        load_config(write(tmp_path, tickets))
    alerts = ("alerts:\n"
              "  - {type: slack, name: oncall, url_env: A, events: [incident.opened]}\n"
              "  - {type: teams, name: oncall, url_env: B, events: [incident.opened]}\n")
    with pytest.raises(ConfigError, match=r"alert names must be unique: \['oncall'\]"):
        load_config(write(tmp_path, alerts))
