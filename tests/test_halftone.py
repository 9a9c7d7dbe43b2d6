"""Fax pages halftoned by an ordered dither ("photo mode") are smoothed back to grey where, and
only where, they are dithered; a greyish paper diffused into dots loses its dots; a text-mode
fax with its line noise, and error diffusion on white paper, are left exactly as they came."""
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageSequence

from extractors import halftone, pipeline
from extractors.load import load

DATA = Path(__file__).parent / "data"


def diffused(grey: np.ndarray) -> np.ndarray:
    """Floyd-Steinberg, as Pillow (and many fax machines' photo mode) dither."""
    return np.asarray(Image.fromarray(grey).convert("1").convert("L")).copy()


def ordered(grey: np.ndarray, size: int = 4) -> np.ndarray:
    """A Bayer dither of ``size`` x ``size`` levels."""
    bayer = np.zeros((1, 1), int)
    while bayer.shape[0] < size:
        bayer = np.block([[4 * bayer, 4 * bayer + 2], [4 * bayer + 3, 4 * bayer + 1]])
    h, w = grey.shape
    levels = np.tile(bayer, (h // size + 1, w // size + 1))[:h, :w]
    return np.where(grey < (levels + 0.5) * 256 / size ** 2, 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def page() -> np.ndarray:
    """A white page with a black bar (solid ink) and a band of light grey (a faint pen)."""
    grey = np.full((600, 800), 255, np.uint8)
    grey[100:140, 100:700] = 0
    grey[300:400, 100:700] = 150
    return grey


@pytest.mark.parametrize("size", [4, 8])
def test_an_ordered_dither_comes_back_grey_and_solid_ink_stays_crisp(page, size):
    out = halftone.descreen(ordered(page, size))
    band = out[320:380, 120:680].astype(float)
    assert abs(band.mean() - 150) < 20 and band.std() < 25      # grey again, not dots
    assert (out[110:130, 120:680] == 0).all()                  # the bar is untouched
    assert (out[500:, :] == 255).all() and (out[:60, :] == 255).all()   # so is the paper


def test_error_diffusion_is_left_as_the_dots_it_is(page):
    dots = diffused(page)
    assert halftone.screen(halftone.single_pixels(dots < 128))[1] < halftone.PERIODIC
    assert halftone.descreen(dots) is dots


def test_a_greyish_paper_diffused_loses_its_dots_and_a_light_pen_keeps_them(page):
    greyish = np.minimum(page, 238).astype(np.uint8)          # the paper of an office scan
    dots = diffused(greyish)
    assert (dots[450:, :] == 0).mean() > 0.03                  # the paper came through dotted
    out = halftone.descreen(dots)
    assert (out[450:-1, :] == 255).all() and (out[:60, :] == 255).all()   # white paper
    assert (out[300:400, 100:700] == dots[300:400, 100:700]).all()     # the pen's dots stay
    assert (out[110:130, 120:680] == 0).all()                          # and so does the bar


def test_a_text_mode_fax_with_line_noise_is_left_as_it_came(page):
    fax = np.where(page < 128, 0, 255).astype(np.uint8)       # thresholded: the band is gone
    rng = np.random.default_rng(1)
    fax[rng.random(fax.shape) < 0.003] = 0                    # specks of line noise
    assert halftone.descreen(fax) is fax


def test_a_page_in_shades_of_grey_is_left_as_it_came(page):
    assert halftone.descreen(page) is page


@pytest.fixture(scope="module", params=[ordered, diffused])
def dcc94_faxes(tmp_path_factory, request) -> tuple[Path, Path]:
    """DCC-94 on greyish paper, sent as a fine fax in text mode and in photo mode (an ordered
    dither or error diffusion, as a PC fax driver sends a scan)."""
    out = tmp_path_factory.mktemp("halftone")
    pdf = pdfium.PdfDocument(DATA / "DCC-94.pdf")
    pages = [np.array(p.render(scale=200 / 72).to_pil().convert("L")) for p in pdf]
    paths = []
    for mode in ("text", "photo"):
        frames = []
        for grey in pages:
            paper = cv2.resize(grey, (1728, 2156), interpolation=cv2.INTER_AREA) * (235 / 255)
            paper = paper.astype(np.uint8)
            ink = np.where(paper < 128, 0, 255).astype(np.uint8) if mode == "text" \
                else request.param(paper)
            frames.append(Image.fromarray(ink).convert("1"))
        path = out / f"{mode}.tif"
        frames[0].save(path, "TIFF", save_all=True, append_images=frames[1:], dpi=(204, 196),
                       compression="group4")
        paths.append(path)
    return paths[0], paths[1]


def test_a_photo_mode_fax_is_loaded_grey_or_on_white_paper(dcc94_faxes):
    text, photo = dcc94_faxes
    assert all(np.isin(p.image, (0, 255)).all() for p in load(text).pages)
    as_sent = [np.asarray(f.convert("L")) for f in ImageSequence.Iterator(Image.open(photo))]
    for page, sent in zip(load(photo).pages, as_sent):
        if np.isin(page.image, (0, 255)).all():               # error diffusion: 1-bit still,
            assert (page.image == 0).mean() < 0.8 * (sent == 0).mean()   # its paper white
        else:                                                  # an ordered dither: grey
            assert page.image.mean() > sent.mean()


def test_a_photo_mode_fax_reads_as_the_text_mode_fax_does(dcc94_faxes):
    text, photo = (pipeline.extract_file(p).to_json() for p in dcc94_faxes)
    assert [(p["form"], p["page"]) for p in photo["pages"]] == \
        [("DCC-94", 1), ("DCC-94", 2), ("DCC-94", 3)]
    want = {k: f["value"] for k, f in text["documents"][0]["fields"].items()
            if f["value"] is not None}
    got = photo["documents"][0]["fields"]
    same = sum(got.get(k, {}).get("value") == v for k, v in want.items())
    assert len(want) >= 30 and same >= 0.95 * len(want), f"{same} of {len(want)}"
