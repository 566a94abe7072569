"""The seed's first program: a custom training step with GradientTape, in tf.function.

From "Customize the training step" (the seed document): the model, optimizer,
loss and `train_step` below are copied verbatim; only the data loading is
added. `train_data` is MNIST in batches of 64 images (float32 in [0, 1],
shape (64, 28, 28, 1)) and integer labels, reshuffled every epoch.

Run: python examples/seed_train_step.py
"""
import os

import tapeflow as tf
from mnist_data import mnist_train_data

BATCH_SIZE = 64
NUM_EPOCHS = int(os.environ.get("TAPEFLOW_EXAMPLE_EPOCHS", 5))
train_data = mnist_train_data(BATCH_SIZE)

# ---- the seed's program, verbatim ----
model = tf.keras.Sequential([
  tf.keras.layers.Conv2D(32, 3, activation='relu',
                         kernel_regularizer=tf.keras.regularizers.l2(0.02),
                         input_shape=(28, 28, 1)),
  tf.keras.layers.MaxPooling2D(),
  tf.keras.layers.Flatten(),
  tf.keras.layers.Dropout(0.1),
  tf.keras.layers.Dense(64, activation='relu'),
  tf.keras.layers.BatchNormalization(),
  tf.keras.layers.Dense(10)
])
optimizer = tf.keras.optimizers.Adam(0.001)
loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
@tf.function
def train_step(inputs, labels):
  with tf.GradientTape() as tape:
    predictions = model(inputs, training=True)
    regularization_loss=tf.math.add_n(model.losses)
    pred_loss=loss_fn(labels, predictions)
    total_loss=pred_loss + regularization_loss
  gradients = tape.gradient(total_loss, model.trainable_variables)
  optimizer.apply_gradients(zip(gradients, model.trainable_variables))
for epoch in range(NUM_EPOCHS):
  for inputs, labels in train_data:
    train_step(inputs, labels)
  print("Finished epoch", epoch)
