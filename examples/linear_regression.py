"""A custom training step with GradientTape: fit y = 1*x0 - 2*x1 + 0.5*x2 + 0.3."""
import tapeflow as tf

x = tf.math.sin(tf.constant([[0.37 * i, 1.3 * i, 2.9 * i] for i in range(64)]))
y = tf.matmul(x, [[1.0], [-2.0], [0.5]]) + 0.3

w = tf.Variable(tf.zeros([3, 1]))
b = tf.Variable(tf.zeros([1]))
for step in range(300):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
    dw, db = tape.gradient(loss, [w, b])
    w.assign_sub(0.2 * dw)
    b.assign_sub(0.2 * db)
    if step % 100 == 0:
        print(f"step {step:3d}  loss {float(loss):.6f}")
print(f"final loss {float(loss):.6f}  w {w.numpy().ravel().round(3)}  b {b.numpy().round(3)}")
