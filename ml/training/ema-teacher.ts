import * as tf from '@tensorflow/tfjs';

/**
 * The exponential-moving-average teacher of MR-Pretrain and TD-Calib (UMD: `ModelEmaV2`, decay 0.995, updated after
 * every training step over every weight): teacher ← decay·teacher + (1 − decay)·student. It holds its own copies (or
 * drives the weights of a teacher model passed as `into`), so the student's optimiser never touches them.
 */
export class EmaTeacher {
  readonly weights: ReadonlyMap<string, tf.Variable>;
  private readonly ownsWeights: boolean;

  constructor(
    student: ReadonlyMap<string, tf.Variable>,
    readonly decay = 0.995,
    into?: ReadonlyMap<string, tf.Variable>,
  ) {
    if (!(decay >= 0 && decay < 1)) throw new Error(`An EMA decay is in [0, 1); got ${decay}.`);
    this.ownsWeights = into === undefined;
    if (into) {
      for (const [name, variable] of student) {
        const target = into.get(name);
        if (!target) throw new Error(`The teacher has no weight ${name}.`);
        target.assign(variable);
      }
      this.weights = into;
    } else {
      this.weights = new Map([...student].map(([name, variable]) => [name, tf.variable(variable, false)]));
    }
  }

  update(student: ReadonlyMap<string, tf.Variable>): void {
    tf.tidy(() => {
      for (const [name, teacher] of this.weights) {
        const current = student.get(name);
        if (!current) throw new Error(`The student has no weight ${name}.`);
        teacher.assign(teacher.mul(this.decay).add(current.mul(1 - this.decay)));
      }
    });
  }

  dispose(): void {
    if (this.ownsWeights) for (const weight of this.weights.values()) weight.dispose();
  }
}
