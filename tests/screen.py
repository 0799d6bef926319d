"""Look at the PL111 screenshots vexpress-run saves (binary PPM)."""


def read_ppm(path):
    with open(path, "rb") as f:
        data = f.read()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    if fields[0] != b"P6" or fields[3] != b"255":
        raise ValueError(f"{path}: not an 8-bit binary PPM")
    w, h = int(fields[1]), int(fields[2])
    return w, h, data[pos + 1:pos + 1 + w * h * 3]


class Screen:
    def __init__(self, path):
        self.w, self.h, self.px = read_ppm(path)

    def at(self, x, y):
        i = (y * self.w + x) * 3
        return tuple(self.px[i:i + 3])

    def distinct_colours(self, step=16):
        return {self.at(x, y) for y in range(0, self.h, step)
                for x in range(0, self.w, step)}


def close(a, b, tol=8):
    return all(abs(p - q) <= tol for p, q in zip(a, b))


# The top band of modetest's SMPTE pattern, left to right.
SMPTE_TOP = [(192, 192, 192), (192, 192, 0), (0, 192, 192), (0, 192, 0),
             (192, 0, 192), (192, 0, 0), (0, 0, 192)]


def shows_smpte(path):
    """None if the screenshot shows modetest's pattern, else why not."""
    s = Screen(path)
    y = s.h // 3
    got = [s.at(int((i + 0.5) * s.w / 7), y) for i in range(7)]
    if all(close(g, e) for g, e in zip(got, SMPTE_TOP)):
        return None
    return f"{s.w}x{s.h}, top bars {got}, expected {SMPTE_TOP}"


def shows_picture(shot, picture, bar=24, tol=24):
    """None if the screenshot shows PICTURE (a PPM) scaled to the screen,
    nearest-neighbour, above the kiosk's progress bar; else why not."""
    s = Screen(shot)
    pw, ph, px = read_ppm(picture)
    bad = []
    for y in range(s.h // 16, s.h - bar - 8, s.h // 8):
        for x in range(s.w // 32, s.w, s.w // 16):
            sx, sy = x * pw // s.w, y * ph // s.h
            want = tuple(px[(sy * pw + sx) * 3:(sy * pw + sx) * 3 + 3])
            if not close(s.at(x, y), want, tol):
                bad.append(((x, y), s.at(x, y), want))
    if len(bad) <= 2:  # anti-aliased text edges may differ
        return None
    return f"{len(bad)} points differ, e.g. {bad[:3]}"


def shows_render(path, share=0.01):
    """None if the screenshot holds a rendered scene (kmscube's cube:
    saturated colours over at least SHARE of the screen, on a background
    that is not black), else why not."""
    s = Screen(path)
    samples = [s.at(x, y) for y in range(0, s.h, 4) for x in range(0, s.w, 4)]
    coloured = sum(1 for p in samples if max(p) - min(p) > 60)
    corner = s.at(2, 2)
    if coloured >= share * len(samples) and max(corner) > 16:
        return None
    return (f"{s.w}x{s.h}: {coloured} of {len(samples)} samples coloured, "
            f"corner {corner}")


def shows_console(path):
    """None if the screenshot holds a text console (light glyphs on a
    dark screen), else why not."""
    s = Screen(path)
    samples = [s.at(x, y) for y in range(0, s.h, 2) for x in range(0, s.w, 2)]
    lit = sum(1 for p in samples if max(p) > 100)
    if 20 <= lit <= len(samples) // 2:
        return None
    return f"{s.w}x{s.h}: {lit} of {len(samples)} samples lit"
