"""Status and mode labels on the organizer's pages follow each request's language, not the first one's."""

from feedback.dialogues.registrations import register
from feedback.extensions import db
from tests.dialogues.helpers import make_conference, phone


def test_labels_follow_the_request_language(app, tree, organizer_a_client):
    conference = make_conference(tree.dept_a, capacity=1)
    register(conference, full_name="Nguyễn Văn An", phone=phone(1))
    register(conference, full_name="Trần Thị Bình", phone=phone(2))
    db.session.commit()
    registrants = f"/manage/dialogues/{conference.id}/registrants"
    detail, index = f"/manage/dialogues/{conference.id}", "/manage/dialogues/"
    # Vietnamese first (this worker's first rendering of the labels), then English on the same app.
    vi_list = organizer_a_client.get(registrants, query_string={"lang": "vi"}).get_data(as_text=True)
    vi_index = organizer_a_client.get(index, query_string={"lang": "vi"}).get_data(as_text=True)
    vi_detail = organizer_a_client.get(detail, query_string={"lang": "vi"}).get_data(as_text=True)
    assert "Danh sách chờ" in vi_list and "Bản nháp" in vi_index and "Trực tiếp" in vi_detail
    en_list = organizer_a_client.get(registrants, query_string={"lang": "en"}).get_data(as_text=True)
    en_index = organizer_a_client.get(index, query_string={"lang": "en"}).get_data(as_text=True)
    en_detail = organizer_a_client.get(detail, query_string={"lang": "en"}).get_data(as_text=True)
    assert "Waiting list" in en_list and "Danh sách chờ" not in en_list
    assert "Confirmed" in en_list
    assert "Draft" in en_index and "Bản nháp" not in en_index
    assert "In person" in en_detail and "Trực tiếp" not in en_detail
