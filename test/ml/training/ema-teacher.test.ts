import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { EmaTeacher } from '../../../ml/training/ema-teacher.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('EMA teacher', () => {
  it('moves by one step to decay·old + (1 − decay)·new for every weight, and leaks nothing', () => {
    const student = new Map<string, tf.Variable>([
      [
        'layer.weight',
        tf.variable(
          tf.tensor2d([
            [1, 2],
            [3, 4],
          ]),
        ),
      ],
      ['layer.bias', tf.variable(tf.tensor1d([-1, 0.5]))],
    ]);
    const teacher = new EmaTeacher(student, 0.995);
    expect(Array.from(teacher.weights.get('layer.weight')!.dataSync())).toEqual([1, 2, 3, 4]);
    const replacement: tf.Tensor[] = [
      tf.tensor2d([
        [11, 2],
        [-3, 8],
      ]),
      tf.tensor1d([1, 0.5]),
    ];
    student.get('layer.weight')!.assign(replacement[0]!);
    student.get('layer.bias')!.assign(replacement[1]!);
    const before = tf.memory().numTensors;
    teacher.update(student);
    expect(tf.memory().numTensors).toBe(before);
    const expected = [0.995 * 1 + 0.005 * 11, 0.995 * 2 + 0.005 * 2, 0.995 * 3 + 0.005 * -3, 0.995 * 4 + 0.005 * 8];
    Array.from(teacher.weights.get('layer.weight')!.dataSync()).forEach((value, index) =>
      expect(value).toBeCloseTo(expected[index]!, 6),
    );
    Array.from(teacher.weights.get('layer.bias')!.dataSync()).forEach((value, index) =>
      expect(value).toBeCloseTo([0.995 * -1 + 0.005 * 1, 0.5][index]!, 6),
    );
    expect(Array.from(student.get('layer.weight')!.dataSync())).toEqual([11, 2, -3, 8]);
    expect(teacher.weights.get('layer.weight')!.trainable).toBe(false);
    teacher.dispose();
    tf.dispose([...student.values(), ...replacement]);
  });

  it('refuses a decay outside [0, 1) and a student that lacks a weight', () => {
    const student = new Map([['weight', tf.variable(tf.scalar(1))]]);
    expect(() => new EmaTeacher(student, 1)).toThrow(/decay/);
    const teacher = new EmaTeacher(student);
    expect(() => teacher.update(new Map())).toThrow(/no weight weight/);
    teacher.dispose();
    tf.dispose([...student.values()]);
  });
});
