from tests.lint.helpers import places, run_check

CHECK = "dashboard/datasource"


def test_variables_mixed_and_builtin_datasources_pass():
    assert run_check(CHECK, "dashboards/datasource/good.json", "dashboards/clean.json") == []


def test_hard_coded_default_and_unknown_variable_datasources():
    findings = run_check(CHECK, "dashboards/datasource/bad.json")
    assert [(f.json_path, f.line) for f in findings] == [
        ("templating.list[1].datasource", 6),
        ("panels[0].datasource", 10),
        ("panels[1]", 12),
        ("panels[2].targets[1].datasource", 18),
        ("panels[3].datasource", 21),
    ]
    messages = [f.message for f in findings]
    assert "hard-coded datasource 'P1809F7CD0C75ACF3'" in messages[1]
    assert "uses the default datasource" in messages[2]
    assert "hard-coded datasource 'Prometheus'" in messages[3]
    assert "refers to $prom, which is not a datasource variable" in messages[4]
    assert places(findings)[1] == ("dashboards/datasource/bad.json", 10, 20)
