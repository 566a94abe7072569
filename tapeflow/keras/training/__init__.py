"""Training APIs of Keras models (compile/fit/evaluate/predict): see trainer.py."""
