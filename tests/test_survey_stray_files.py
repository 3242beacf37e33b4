# Every file of a returned folder is accounted for: a CSV or PDF is a problem naming the file (in
# Japanese), an Excel lock file ~$… is passed over; nothing is written.
import pytest

from dxstudy.survey.intake import ingest
from dxstudy.survey.problems import SurveyValidationError


def test_a_returned_csv_and_pdf_are_problems_naming_the_file(tmp_path):
    returned = tmp_path / "returned"
    returned.mkdir()
    (returned / "114651_松伏町_FY2022.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (returned / "回答.pdf").write_bytes(b"%PDF-1.4\n")
    (returned / "~$112224_越谷市_FY2022.xlsx").write_bytes(b"lock")
    with pytest.raises(SurveyValidationError) as err:
        ingest(returned, 2022, tmp_path / "data")
    text = str(err.value)
    assert "114651_松伏町_FY2022.csv: この形式（.csv）は読み込めません" in text
    assert "回答.pdf" in text and "~$" not in text
    assert not (tmp_path / "data").exists()
