"""Trains the encoder of a Unisight training bundle on this machine or a cluster.

    python3 train.py --out run/                                  # one process
    torchrun --nproc_per_node 8 train.py --out run/              # one node, eight GPUs (or CPU processes)

Then on the desktop: `unisight models import run/model.unisight-tensors`.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from unisight_train.training import train  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bundle", default=os.path.dirname(os.path.abspath(__file__)),
                        help="the bundle folder (default: this script's)")
    parser.add_argument("--out", required=True, help="folder for checkpoints and the result; a run there resumes")
    parser.add_argument("--max-steps", type=int, default=None, help="stop after this many steps (the schedule fits)")
    parser.add_argument("--checkpoint-every", type=int, default=None, help="steps between checkpoints")
    parser.add_argument("--until-step", type=int, default=None,
                        help="stop at this step with a checkpoint (e.g. before an allocation ends); run again to go on")
    arguments = parser.parse_args()
    train(arguments.bundle, arguments.out, arguments.max_steps, arguments.checkpoint_every, arguments.until_step)


if __name__ == "__main__":
    main()
