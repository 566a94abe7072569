"""`tf.image`: re-exports of the image ops (tapeflow.ops.image)."""
from tapeflow.ops.image import (ResizeMethod, adjust_brightness, adjust_contrast, adjust_gamma,
                                central_crop, convert_image_dtype, crop_to_bounding_box,
                                flip_left_right, flip_up_down, grayscale_to_rgb,
                                pad_to_bounding_box, per_image_standardization,
                                random_brightness, random_contrast, random_crop,
                                random_flip_left_right, random_flip_up_down, resize,
                                resize_with_crop_or_pad, resize_with_pad,
                                rgb_to_grayscale, rot90,
                                stateless_random_brightness, stateless_random_contrast,
                                stateless_random_crop, stateless_random_flip_left_right,
                                stateless_random_flip_up_down, transpose)

__all__ = [name for name in dir() if not name.startswith("_")]
