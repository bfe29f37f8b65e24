from finder.cli import main as cli


def test_nearest_prints_a_table(tmp_path, capsys):
    db = str(tmp_path / "s.sqlite3")
    rc = cli.main(
        [
            "--database",
            db,
            "nearest",
            "--commune",
            "15014",
            "--age",
            "22",
            "--status",
            "demandeurs-emploi",
            "--level",
            "2",
        ]
    )
    out = capsys.readouterr().out
    assert rc == 0
    assert "Origine : Aurillac" in out
    assert "Mission locale Aurillac" in out
    assert len(out.strip().splitlines()) == 12  # origin, header, 10 rows


def test_bad_input_exits_non_zero_with_french_message(tmp_path, capsys):
    rc = cli.main(["--database", str(tmp_path / "s.sqlite3"), "nearest", "--commune", "15014", "--status", "x"])
    assert rc == 2
    assert "Valeur inconnue" in capsys.readouterr().err


def test_init_and_info(tmp_path, capsys):
    db = str(tmp_path / "s.sqlite3")
    assert cli.main(["--database", db, "init"]) == 0
    assert cli.main(["--database", db, "info"]) == 0
    assert "566 structures" in capsys.readouterr().out
