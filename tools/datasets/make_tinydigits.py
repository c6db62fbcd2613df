#!/usr/bin/env python3
"""make_tinydigits.py — build TinyDigits from the UCI optical digits.

TinyDigits is the small, balanced digit set milestone 04 trains on first:
1000 training images (100 per digit) and 200 test images (20 per digit),
8 x 8 pixels scaled to [0, 1]. It is made from the UCI "Optical Recognition
of Handwritten Digits" test set (1797 images of 8 x 8 pixels, each 0..16),
which Debian's python3-sklearn package ships as digits.csv.gz: 64 pixel
values then the label on each line.

    python3 tools/datasets/make_tinydigits.py
    python3 tools/datasets/make_tinydigits.py --source digits.csv.gz --out DIR

The split is drawn with a fixed seed, so the same input always gives the
same files; the input's SHA-256 is checked so a different input is noticed
rather than silently producing different data. Uses the standard library only.

Output format (one file per split, train.txt and test.txt), plain text that
any language reads without a library:

    tinydigits 1000 8 8              magic word, image count, height, width
    3 0 0 0.3125 0.8125 ...          per image: label, then height*width pixels
                                     in row-major order, space separated

Pixels are k/16 for k in 0..16, written exactly (at most four decimals).
Each file is written atomically (temporary file, fsync, rename).
"""

import argparse
import collections
import gzip
import hashlib
import os
import random
import sys
import tempfile

DEFAULT_SOURCE = "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz"
# SHA-256 of digits.csv.gz as shipped by python3-sklearn 1.2.1+dfsg-1.
EXPECTED_SHA256 = "46abec6b12486ad9e51943373abcf22bbea1b5a51a1619b361570d8893f1464a"
SEED = 20240501
TRAIN_PER_CLASS = 100
TEST_PER_CLASS = 20
CLASSES = 10
SIDE = 8
MAX_PIXEL = 16


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_digits(path):
    """Returns a list of (label, pixels) with pixels as 64 ints in 0..16."""
    examples = []
    with gzip.open(path, "rt", encoding="ascii") as f:
        for number, line in enumerate(f, start=1):
            fields = line.strip().split(",")
            if len(fields) != SIDE * SIDE + 1:
                sys.exit(f"{path}:{number}: expected {SIDE * SIDE + 1} values, found {len(fields)}")
            values = [int(v) for v in fields]
            pixels, label = values[:-1], values[-1]
            if not 0 <= label < CLASSES or not all(0 <= p <= MAX_PIXEL for p in pixels):
                sys.exit(f"{path}:{number}: a label or pixel is out of range")
            examples.append((label, pixels))
    return examples


def balanced_split(examples, rng):
    """100 training and 20 test examples per class, drawn without overlap."""
    by_class = collections.defaultdict(list)
    for example in examples:
        by_class[example[0]].append(example)
    train, test = [], []
    for label in range(CLASSES):
        pool = by_class[label]
        if len(pool) < TRAIN_PER_CLASS + TEST_PER_CLASS:
            sys.exit(f"class {label} has only {len(pool)} examples; "
                     f"{TRAIN_PER_CLASS + TEST_PER_CLASS} are needed")
        rng.shuffle(pool)
        train += pool[:TRAIN_PER_CLASS]
        test += pool[TRAIN_PER_CLASS:TRAIN_PER_CLASS + TEST_PER_CLASS]
    # Mix the classes, so a file read in order is not sorted by digit.
    rng.shuffle(train)
    rng.shuffle(test)
    return train, test


def format_pixel(value):
    # k/16 is exact in binary and has at most four decimals: "0.3125".
    return f"{value / MAX_PIXEL:g}"


def write_atomically(path, text):
    folder = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    try:
        with os.fdopen(fd, "w", encoding="ascii", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def render(examples):
    lines = [f"tinydigits {len(examples)} {SIDE} {SIDE}"]
    for label, pixels in examples:
        lines.append(" ".join([str(label)] + [format_pixel(p) for p in pixels]))
    return "\n".join(lines) + "\n"


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", default=DEFAULT_SOURCE,
                        help="digits.csv.gz (default: the copy python3-sklearn installs)")
    parser.add_argument("--out", default=os.path.join(root, "milestones", "datasets", "tinydigits"),
                        help="output folder (default: milestones/datasets/tinydigits)")
    parser.add_argument("--any-source", action="store_true",
                        help="accept an input whose SHA-256 differs from the expected one")
    args = parser.parse_args()

    if not os.path.exists(args.source):
        sys.exit(f"{args.source} does not exist; install it with `sudo apt-get install "
                 f"python3-sklearn` or pass --source")
    checksum = sha256_of(args.source)
    if checksum != EXPECTED_SHA256 and not args.any_source:
        sys.exit(f"{args.source} has SHA-256 {checksum}, expected {EXPECTED_SHA256}; the files "
                 f"made from it would differ from the shipped ones. Pass --any-source to go on.")

    train, test = balanced_split(read_digits(args.source), random.Random(SEED))
    os.makedirs(args.out, exist_ok=True)
    for name, examples in (("train.txt", train), ("test.txt", test)):
        path = os.path.join(args.out, name)
        write_atomically(path, render(examples))
        print(f"wrote {path}: {len(examples)} images")
    print(f"source SHA-256: {checksum}")


if __name__ == "__main__":
    main()
