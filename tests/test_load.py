"""Loading every kind of input into square-pixel page images, and where received_at comes from.

Fixtures are made from the born-digital example forms in tests/data: fax TIFFs (G3 standard
204x98, G4 fine 204x196), a scanned PDF, a phone photo and e-mails, synthesised in tmp_path.
"""
import io
import json
from email.message import EmailMessage
from pathlib import Path

import cv2
import numpy as np
import pypdf
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw, ImageFont, ImageSequence
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from extractors.classify import classify
from extractors.errors import UnreadableFile, UnsupportedFile
from extractors.load import find_sheet, load, sniff
from extractors.received import header_text, received_at

DATA = Path(__file__).parent / "data"
MONO = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
DPI = 200


@pytest.fixture(scope="module")
def dcc94() -> list[np.ndarray]:
    pdf = pdfium.PdfDocument(DATA / "DCC-94.pdf")
    return [np.array(p.render(scale=DPI / 72).to_pil().convert("L")) for p in pdf]


def fax_tiff(path: Path, pages: list[np.ndarray], fine: bool) -> Path:
    """Pages as a fax server stores them: 1-bit, 1728 px wide, 98 or 196 lines per inch."""
    lines = 196 if fine else 98
    frames = []
    for page in pages:
        small = cv2.resize(page, (1728, round(11 * lines)), interpolation=cv2.INTER_AREA)
        frames.append(Image.fromarray(np.where(small < 160, 0, 255).astype(np.uint8)).convert("1"))
    frames[0].save(path, "TIFF", compression="group4" if fine else "group3", dpi=(204, lines),
                   save_all=True, append_images=frames[1:])
    return path


def classified(page) -> tuple[str, int | None]:
    result = classify((page.image < 128).astype(np.uint8), page.dpi)
    return result.form, result.page


def assert_upright_letter(page):
    h, w = page.image.shape
    assert page.image.dtype == np.uint8 and page.dpi == DPI
    assert abs(h / DPI - 11) < 0.4 and abs(w / DPI - 8.5) < 0.4       # square pixels


# -- TIFF ---------------------------------------------------------------------------------

@pytest.mark.parametrize("fine", [False, True])
def test_fax_tiff_pages_get_square_pixels(tmp_path, dcc94, fine):
    loaded = load(fax_tiff(tmp_path / "fax.tif", dcc94, fine))
    assert loaded.kind == "tiff" and len(loaded.pages) == 3 and not loaded.skipped
    for number, page in enumerate(loaded.pages, 1):
        assert_upright_letter(page)
        assert page.source_dpi == (204, 196 if fine else 98)
        assert page.origin == f"tiff page {number}" and page.text_words is None
        assert classified(page) == ("DCC-94", number)


def test_a_negative_fax_page_is_turned_back_but_a_dark_photo_is_not(tmp_path, dcc94):
    """A gateway that writes the TIFF's black and white backwards sends a negative."""
    negative = [255 - page for page in dcc94]
    loaded = load(fax_tiff(tmp_path / "fax.tif", negative, fine=True))
    for number, page in enumerate(loaded.pages, 1):
        assert np.mean(page.image > 128) > 0.8                   # paper is white again
        assert classified(page) == ("DCC-94", number)
    dark = np.clip(dcc94[0] // 3 + np.random.default_rng(1).integers(0, 60, dcc94[0].shape),
                   0, 255).astype(np.uint8)                      # an underexposed grey scan
    Image.fromarray(dark).save(tmp_path / "dark.png", dpi=(DPI, DPI))
    page = load(tmp_path / "dark.png").pages[0]
    assert np.mean(page.image) < 128                             # left as it was


def test_a_fax_tiff_without_resolution_tags_is_recognised_by_its_width(tmp_path, dcc94):
    small = cv2.resize(dcc94[0], (1728, 1078), interpolation=cv2.INTER_AREA)
    path = tmp_path / "bare.tif"
    bits = Image.fromarray(np.where(small < 160, 0, 255).astype(np.uint8)).convert("1")
    for dpi in (None, (72, 72)):                       # no tags, or a meaningless default
        bits.save(path, "TIFF", compression="group3", **({"dpi": dpi} if dpi else {}))
        page = load(path).pages[0]
        assert page.source_dpi == (204, 98)
        assert_upright_letter(page)


def test_kind_is_sniffed_not_taken_from_the_name(tmp_path, dcc94):
    path = fax_tiff(tmp_path / "scan.pdf", dcc94[:1], fine=False)       # a TIFF named .pdf
    assert load(path).kind == "tiff"
    html = tmp_path / "form.pdf"
    html.write_bytes(b"<html><body>Session expired</body></html>")
    with pytest.raises(UnsupportedFile, match="not a PDF, TIFF, JPEG, PNG or e-mail"):
        load(html)


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
def test_a_truncated_tiff_keeps_the_pages_it_has_and_says_so(tmp_path, dcc94):
    data = fax_tiff(tmp_path / "fax.tif", dcc94, fine=True).read_bytes()
    cut = tmp_path / "cut.tif"
    cut.write_bytes(data[: int(len(data) * 0.8)])      # page 3 (and its directory) cut off
    loaded = load(cut)
    assert len(loaded.pages) == 2
    assert loaded.skipped == ["tiff page 3: damaged; it and any pages after it could not be read"]


# -- PDF ----------------------------------------------------------------------------------

def test_born_digital_pdf_keeps_its_text_layer():
    loaded = load(DATA / "DCC-94.pdf")
    assert loaded.kind == "pdf" and len(loaded.pages) == 3
    page = loaded.pages[0]
    assert_upright_letter(page)
    values = json.loads((DATA / "DCC-94.values.json").read_text())
    words = {w.text: w for w in page.text_words}
    assert values["certificate_number"] in words and values["case_number"] in words
    x0, y0, x1, y1 = words[values["case_number"]].box
    assert (page.image[y0:y1, x0:x1] < 128).mean() > 0.05      # the box lies on its ink
    assert all(w.confidence == 1.0 for w in page.text_words)


def test_landscape_pdf_page_is_landscape():
    page = load(DATA / "DCC-97.pdf").pages[0]
    assert page.image.shape == (1700, 2200)
    assert classified(page) == ("DCC-97", 1)


def test_scanned_pdf_is_image_only(tmp_path, dcc94):
    path = tmp_path / "scan.pdf"
    images = [Image.fromarray(p) for p in dcc94]
    images[0].save(path, save_all=True, append_images=images[1:], resolution=DPI)
    loaded = load(path)
    assert len(loaded.pages) == 3 and all(p.text_words is None for p in loaded.pages)
    assert [classified(p) for p in loaded.pages] == [("DCC-94", 1), ("DCC-94", 2), ("DCC-94", 3)]


def test_pdf_with_a_scan_placed_at_one_point_per_pixel_is_drawn_as_a_letter_page(tmp_path, dcc94):
    path = tmp_path / "huge.pdf"
    big = cv2.resize(dcc94[0], (2550, 3300), interpolation=cv2.INTER_CUBIC)
    Image.fromarray(big).save(path, resolution=72)      # a 35 x 46 inch "page"
    page = load(path).pages[0]
    assert_upright_letter(page)
    assert classified(page) == ("DCC-94", 1)


@pytest.mark.parametrize("fine", [False, True])
def test_a_fax_inside_a_pdf_is_read_from_its_own_pixels_as_a_fax_tiff_is(tmp_path, dcc94, fine):
    tiff = fax_tiff(tmp_path / "fax.tif", dcc94, fine)
    path = tmp_path / "fax.pdf"                        # a fax gateway's PDF around the image
    pdf = canvas.Canvas(str(path), pagesize=(612, 792))
    for frame in ImageSequence.Iterator(Image.open(tiff)):
        pdf.drawImage(ImageReader(frame.copy()), 0, 0, 612, 792)
        pdf.showPage()
    pdf.save()
    as_pdf, as_tiff = load(path).pages, load(tiff).pages
    assert len(as_pdf) == 3
    for page, twin in zip(as_pdf, as_tiff):
        assert page.source_dpi == pytest.approx((204, 196 if fine else 98), abs=1)
        assert page.image.shape == twin.image.shape and (page.image == twin.image).all()


def test_a_scan_inside_a_pdf_is_still_drawn_by_pdfium(tmp_path, dcc94):
    path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(path), pagesize=(612, 792))
    pdf.drawImage(ImageReader(Image.fromarray(dcc94[0])), 0, 0, 612, 792)
    pdf.save()
    page = load(path).pages[0]
    assert page.source_dpi == (200, 200) and not np.isin(page.image, (0, 255)).all()


def test_scan_with_an_invisible_ocr_layer_is_image_only(tmp_path, dcc94):
    path = tmp_path / "ocrd.pdf"
    pdf = canvas.Canvas(str(path), pagesize=(612, 792))
    pdf.drawImage(ImageReader(Image.fromarray(dcc94[0])), 0, 0, 612, 792)
    text = pdf.beginText(72, 700)
    text.setTextRenderMode(3)                          # invisible, as OCR layers are
    text.textLine("Child Care Assistance Program Certificate")
    pdf.drawText(text)
    pdf.save()
    assert load(path).pages[0].text_words is None


@pytest.mark.parametrize("damage", [
    lambda d: d[: len(d) // 3],
    lambda d: b"%PDF-1.7\n" + bytes(range(256)) * 8,
])
def test_damaged_pdf_is_unreadable(tmp_path, damage):
    path = tmp_path / "bad.pdf"
    path.write_bytes(damage((DATA / "DCC-94.pdf").read_bytes()))
    with pytest.raises(UnreadableFile, match="damaged") as caught:
        load(path)
    assert caught.value.exit_code == 2 and "\n" not in str(caught.value)


def test_locked_pdf_is_unreadable_but_an_owner_password_alone_is_fine(tmp_path):
    for user, name in (("secret", "locked.pdf"), ("", "restricted.pdf")):
        writer = pypdf.PdfWriter(clone_from=DATA / "DCC-94E.pdf")
        writer.encrypt(user, owner_password="owner", algorithm="AES-128")
        writer.write(tmp_path / name)
    with pytest.raises(UnreadableFile, match="password-protected"):
        load(tmp_path / "locked.pdf")
    assert load(tmp_path / "restricted.pdf").pages[0].text_words


# -- photos -------------------------------------------------------------------------------

def phone_photo(page: np.ndarray) -> np.ndarray:
    """The page lying on a dark table, shot at an angle, with uneven light: BGR 3000x4000."""
    h, w = page.shape
    H, W = 4000, 3000
    rng = np.random.default_rng(3)
    table = rng.normal(70, 12, (H, W)).clip(0, 255).astype(np.uint8)
    corners = np.float32([[420, 520], [2580, 380], [2700, 3620], [300, 3480]])
    matrix = cv2.getPerspectiveTransform(np.float32([[0, 0], [w, 0], [w, h], [0, h]]), corners)
    sheet = cv2.warpPerspective(page, matrix, (W, H), flags=cv2.INTER_LINEAR, borderValue=0)
    inside = cv2.warpPerspective(np.full_like(page, 255), matrix, (W, H)) > 0
    photo = np.where(inside, sheet, table).astype(np.float32)
    shade = np.linspace(0.75, 1.0, W)[None, :] * np.linspace(0.85, 1.0, H)[:, None]
    photo = (photo * shade).clip(0, 255).astype(np.uint8)
    return cv2.cvtColor(photo, cv2.COLOR_GRAY2BGR)


def test_phone_photo_is_found_and_flattened(tmp_path, dcc94):
    path = tmp_path / "IMG_0042.jpg"
    cv2.imwrite(str(path), phone_photo(dcc94[0]), [cv2.IMWRITE_JPEG_QUALITY, 88])
    loaded = load(path)
    assert loaded.kind == "image" and len(loaded.pages) == 1
    page = loaded.pages[0]
    assert page.image.shape == (2200, 1700)
    result = classify((page.image < 128).astype(np.uint8), page.dpi)
    assert (result.form, result.page) == ("DCC-94", 1) and result.score > 0.85
    assert abs(result.fit.sx - 1) < 0.03 and abs(result.fit.sy - 1) < 0.03


def test_a_flat_scan_saved_as_png_is_resampled_to_200_dpi(tmp_path, dcc94):
    big = cv2.resize(dcc94[1], (2550, 3300), interpolation=cv2.INTER_CUBIC)    # 300 dpi
    path = tmp_path / "scan.png"
    Image.fromarray(big).save(path, dpi=(300, 300))
    assert find_sheet(big) is None
    page = load(path).pages[0]
    assert_upright_letter(page)
    assert page.source_dpi == pytest.approx((300, 300), abs=0.1)
    assert classified(page) == ("DCC-94", 2)


# -- e-mail -------------------------------------------------------------------------------

def email_with(attachments: list[tuple[bytes, str, str, str]], date: str | None) -> bytes:
    message = EmailMessage()
    message["From"] = "provider@example.org"
    message["To"] = "ccap@ky.gov"
    message["Subject"] = "DCC-94 for Jayden"
    if date:
        message["Date"] = date
    message.set_content("Please find the certificate attached.")
    for data, maintype, subtype, name in attachments:
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def test_email_attachments_become_pages(tmp_path, dcc94):
    tiff = fax_tiff(tmp_path / "x.tif", dcc94[2:], fine=True).read_bytes()
    logo = io.BytesIO()
    Image.new("RGB", (120, 40), "navy").save(logo, "PNG")
    raw = email_with([((DATA / "DCC-94.pdf").read_bytes(), "application", "pdf",
                       "Jayden Lopez cert.pdf"),
                      (b"PK\x03\x04 not really a document", "application", "msword", "a.docx"),
                      (logo.getvalue(), "image", "png", "logo.png"),
                      (tiff, "image", "tiff", "page3.tif")],
                     "Mon, 16 May 2022 09:14:33 -0400")
    path = tmp_path / "message.eml"
    path.write_bytes(raw)
    loaded = load(path)
    assert loaded.kind == "eml" and len(loaded.pages) == 4
    assert loaded.email_date.isoformat() == "2022-05-16T09:14:33-04:00"
    assert [p.origin for p in loaded.pages] == [
        "attachment 1 (pdf) pdf page 1", "attachment 1 (pdf) pdf page 2",
        "attachment 1 (pdf) pdf page 3", "attachment 4 (tiff) tiff page 1"]
    assert loaded.pages[0].text_words                  # the PDF's text layer came along
    assert len(loaded.skipped) == 2
    assert "not a PDF" in loaded.skipped[0] and "too small" in loaded.skipped[1]
    assert not any("Jayden" in s for s in loaded.skipped + [p.origin for p in loaded.pages])


def test_email_without_a_form_is_unsupported(tmp_path):
    path = tmp_path / "hello.eml"
    path.write_bytes(email_with([], "Mon, 16 May 2022 09:14:33 -0400"))
    with pytest.raises(UnsupportedFile, match="no attachment"):
        load(path)


# -- bad input ----------------------------------------------------------------------------

def test_bad_files_say_what_is_wrong_in_one_line(tmp_path):
    empty = tmp_path / "empty.tif"
    empty.touch()
    junk = tmp_path / "notes.txt"
    junk.write_text("just some text\nnothing more\n")
    with pytest.raises(UnreadableFile, match="empty"):
        load(empty)
    with pytest.raises(UnsupportedFile):
        load(junk)
    with pytest.raises(UnreadableFile, match="not found"):
        load(tmp_path / "gone.pdf")
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 100)
    with pytest.raises(UnreadableFile, match="damaged"):
        load(broken)


def test_sniff():
    assert sniff(b"%PDF-1.4 ...") == "pdf" and sniff(b"II*\x00....") == "tiff"
    assert sniff(b"\x89PNG\r\n\x1a\n") == "png" and sniff(b"\xff\xd8\xff\xe1") == "jpeg"
    assert sniff(b"From: a@b\r\nDate: Mon, 16 May 2022 09:14:33 -0400\r\n\r\nhi") == "eml"
    assert sniff(b"Name: Jayden\nAge: 3\n") is None
    assert sniff(b"PK\x03\x04") is None


# -- received_at --------------------------------------------------------------------------

HEADER = "MAY-16-2022 09:14  SUNNY DAYS CC  502 555 0199  TO 5025732007  P.001/003"


def test_received_at_prefers_the_sidecar_then_header_then_email(tmp_path):
    path = tmp_path / "fax.tif"
    path.write_bytes(b"")
    loaded = load(DATA / "DCC-94.pdf")
    loaded.email_date = None
    assert received_at(path, loaded, None) == (None, None)
    from datetime import datetime, timezone
    loaded.email_date = datetime(2022, 5, 17, 12, 0, tzinfo=timezone.utc)
    assert received_at(path, loaded, None) == ("2022-05-17T12:00:00+00:00", "email")
    assert received_at(path, loaded, HEADER) == ("2022-05-16T09:14:00-04:00", "fax_header")
    assert received_at(path, loaded, "~~ illegible ~~") == ("2022-05-17T12:00:00+00:00", "email")
    (tmp_path / "fax.tif.json").write_text(json.dumps(
        {"received_at": "2022-05-18T08:30:00", "channel": "fax"}))
    assert received_at(path, loaded, HEADER) == ("2022-05-18T08:30:00-04:00", "sidecar")
    (tmp_path / "fax.tif.json").write_text("{not json")
    assert received_at(path, loaded, HEADER)[1] == "fax_header"


def with_header(page: np.ndarray, line: str) -> np.ndarray:
    """``page`` with a fax machine's header line printed in its top margin."""
    image = Image.fromarray(page)
    ImageDraw.Draw(image).text((40, 14), line, fill=0, font=ImageFont.truetype(MONO, 26))
    return np.array(image)


def test_received_at_from_the_header_of_a_standard_fax(tmp_path, dcc94):
    path = fax_tiff(tmp_path / "fax.tif", [with_header(dcc94[0], HEADER)], fine=False)
    loaded = load(path)
    text = header_text(loaded.pages[0].image, loaded.pages[0].dpi)
    assert received_at(path, loaded, text) == ("2022-05-16T09:14:00-04:00", "fax_header")


def test_a_page_without_a_header_has_none(dcc94):
    assert received_at(None, None, header_text(dcc94[1], DPI)) == (None, None)
