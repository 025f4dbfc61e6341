"""Where people land: My training, unless they have no training of their own."""

from elearn.models import Role


def test_hr_officer_with_no_training_of_their_own_lands_on_the_completion_overview(
        signed_in, cycle):
    client, _ = signed_in(Role.HR)
    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"] == "/hr/"
    assert ">My training</a>" not in client.get("/hr/").get_data(as_text=True)


def test_hr_officer_who_also_teaches_lands_on_their_own_training(signed_in, cycle):
    client, _ = signed_in(Role.HR, Role.STAFF)
    page = client.get("/")
    assert page.status_code == 200 and "Staff training" in page.get_data(as_text=True)
    assert ">My training</a>" in page.get_data(as_text=True)


def test_administrator_with_no_training_is_pointed_to_the_review_cycle(signed_in, cycle):
    client, _ = signed_in(Role.ADMIN)
    page = client.get("/").get_data(as_text=True)
    assert "You have no training to take" in page and 'href="/hr/cycle"' in page


def test_my_data_counts_one_event_in_the_singular(signed_in, cycle):
    client, _ = signed_in(Role.STAFF)  # one sign-in so far
    page = client.get("/my-data").get_data(as_text=True)
    assert "1 recorded event (sign-ins" in page and "0 failed sign-ins" in page
