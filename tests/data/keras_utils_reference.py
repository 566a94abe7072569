"""Keras 3.15 / TF 2.21 results for image_dataset_from_directory on three small PNG files.

The files were encoded by TF (`tf.io.encode_png`, libpng's adaptive filters); DECODED is
`tf.io.decode_png` of each, CASES what `keras.utils.image_dataset_from_directory(root,
shuffle=False, **kwargs)` gave for the first batch (pixels rounded to 3 decimals), and
SEED9_FILES its file order with `seed=9`. Recorded with TF, never computed by tapeflow.
"""

FILES = {
    'cat/0.png': (
        'iVBORw0KGgoAAAANSUhEUgAAAAYAAAAECAIAAAAiZtkUAAAAV0lEQVQImQFMALP/A6jAGJzgxBhA'
        '8HBY5OwUYASsVAT/JizAP7ccgfN/+vbcwsSsbdAAmLe1cPu9wCI4yc4mBO6JV+PDA/z4VqUZ2hYu'
        '+Q2mu+9ySJqmWgRVKL+D419GAAAAAElFTkSuQmCC'
    ),
    'cat/1.png': (
        'iVBORw0KGgoAAAANSUhEUgAAAAMAAAAFCAAAAAClGgl+AAAAHUlEQVQImWO08BBgiPn+gDl9HiOT'
        'z/0bDLcfCgMAQ3gHokqDMCUAAAAASUVORK5CYII='
    ),
    'dog/0.png': (
        'iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAYAAAC09K7GAAAAPklEQVQImQEzAMz/A5gAECAsGLDQ'
        'DMx0CHQU6HQC+hVnI1OidzDEhZtx8czzvgT8Z53yMdUnEySnwN9R9gu9FgoXcXYr5xEAAAAASUVO'
        'RK5CYII='
    ),
}

DECODED = {'cat/0.png': [[[168, 192, 24], [240, 64, 208], [144, 96, 88], [184, 136, 16], [72, 88, 104],
                [40, 216, 136]],
               [[167, 230, 68], [176, 127, 135], [172, 0, 75], [55, 250, 6], [19, 188, 44],
                [191, 69, 56]],
               [[152, 183, 181], [112, 251, 189], [192, 34, 56], [201, 206, 38], [4, 238, 137],
                [87, 227, 195]],
               [[72, 83, 176], [1, 192, 144], [118, 159, 93], [172, 92, 252], [71, 23, 10],
                [233, 35, 192]]],
 'cat/1.png': [[[56], [128], [144]], [[92], [247], [224]], [[149], [100], [163]],
               [[225], [67], [123]], [[219], [225], [19]]],
 'dog/0.png': [[[152, 0, 16, 32], [120, 24, 184, 224], [72, 216, 208, 120],
                [152, 128, 80, 176]],
               [[146, 21, 119, 67], [203, 186, 47, 16], [12, 93, 107, 233], [137, 76, 67, 110]],
               [[142, 124, 20, 53], [252, 143, 59, 35], [48, 4, 43, 200], [218, 250, 54, 43]]]}

CASES = {'crop': {'class_names': ['cat', 'dog'],
          'files': ['cat/0.png', 'cat/1.png', 'dog/0.png'],
          'kwargs': {'crop_to_aspect_ratio': True, 'image_size': (2, 2)},
          'spec': '(TensorSpec(shape=(None, 2, 2, 3), dtype=tf.float32, name=None), '
                  'TensorSpec(shape=(None,), dtype=tf.int32, name=None))',
          'x': [[[[183.0, 71.75, 126.5], [82.5, 165.5, 42.5]],
                 [[105.75, 159.0, 120.5], [112.0, 139.75, 109.25]]],
                [[[132.25, 132.25, 132.25], [209.125, 209.125, 209.125]],
                 [[173.312, 173.312, 173.312], [118.562, 118.562, 118.562]]],
                [[[148.062, 20.062, 68.75], [77.938, 155.062, 174.5]],
                 [[167.188, 112.125, 47.562], [89.188, 58.125, 58.25]]]],
          'y': [0, 0, 1]},
 'gray_nearest': {'class_names': ['cat', 'dog'],
                  'files': ['cat/0.png', 'cat/1.png', 'dog/0.png'],
                  'kwargs': {'color_mode': 'grayscale',
                             'image_size': (3, 2),
                             'interpolation': 'nearest'},
                  'spec': '(TensorSpec(shape=(None, 3, 2, 1), dtype=tf.uint8, name=None), '
                          'TensorSpec(shape=(None,), dtype=tf.int32, name=None))',
                  'x': [[[[133.0], [85.0]], [[202.0], [156.0]], [[129.0], [35.0]]],
                        [[[56.0], [144.0]], [[149.0], [163.0]], [[219.0], [19.0]]],
                        [[[70.0], [129.0]], [[175.0], [93.0]], [[166.0], [218.0]]]],
                  'y': [0, 0, 1]},
 'pad': {'class_names': None,
         'files': ['cat/0.png', 'cat/1.png', 'dog/0.png'],
         'kwargs': {'image_size': (2, 4), 'label_mode': None, 'pad_to_aspect_ratio': True},
         'spec': 'TensorSpec(shape=(None, 2, 4, 3), dtype=tf.float32, name=None)',
         'x': [[[[187.75, 153.25, 108.75], [138.75, 120.5, 46.25], [80.5, 140.25, 85.0],
                 [0.0, 0.0, 0.0]],
                [[84.25, 177.25, 172.5], [170.75, 122.75, 109.75], [98.75, 130.75, 133.5],
                 [0.0, 0.0, 0.0]]],
               [[[0.0, 0.0, 0.0], [217.25, 217.25, 217.25], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]],
                [[0.0, 0.0, 0.0], [106.5, 106.5, 106.5], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]],
               [[[145.625, 34.875, 95.75], [102.625, 150.125, 129.75], [0.0, 0.0, 0.0],
                 [0.0, 0.0, 0.0]],
                [[191.375, 126.0, 50.375], [118.375, 116.375, 58.125], [0.0, 0.0, 0.0],
                 [0.0, 0.0, 0.0]]]],
         'y': None},
 'rgb': {'class_names': ['cat', 'dog'],
         'files': ['cat/0.png', 'cat/1.png', 'dog/0.png'],
         'kwargs': {'image_size': (3, 2)},
         'spec': '(TensorSpec(shape=(None, 3, 2, 3), dtype=tf.float32, name=None), '
                 'TensorSpec(shape=(None,), dtype=tf.int32, name=None))',
         'x': [[[[229.333, 74.5, 195.833], [63.167, 104.667, 94.0]],
                [[144.0, 189.0, 162.0], [11.5, 213.0, 90.5]],
                [[19.5, 201.833, 151.5], [59.833, 58.833, 31.167]]],
               [[[92.917, 92.917, 92.917], [169.917, 169.917, 169.917]],
                [[136.75, 136.75, 136.75], [147.25, 147.25, 147.25]],
                [[208.833, 208.833, 208.833], [83.333, 83.333, 83.333]]],
               [[[136.0, 12.0, 100.0], [112.0, 172.0, 144.0]],
                [[174.5, 103.5, 83.0], [74.5, 84.5, 87.0]],
                [[197.0, 133.5, 39.5], [133.0, 127.0, 48.5]]]],
         'y': [0, 0, 1]},
 'rgba_categorical': {'class_names': ['cat', 'dog'],
                      'files': ['cat/0.png', 'cat/1.png', 'dog/0.png'],
                      'kwargs': {'color_mode': 'rgba',
                                 'image_size': (2, 2),
                                 'label_mode': 'categorical'},
                      'spec': '(TensorSpec(shape=(None, 2, 2, 4), dtype=tf.float32, '
                              'name=None), TensorSpec(shape=(None, 2), dtype=tf.float32, '
                              'name=None))',
                      'x': [[[[208.0, 95.5, 171.5, 255.0], [45.5, 138.0, 74.0, 255.0]],
                             [[56.5, 221.5, 166.5, 255.0], [37.5, 130.5, 73.5, 255.0]]],
                            [[[116.562, 116.562, 116.562, 255.0],
                              [207.312, 207.312, 207.312, 255.0]],
                             [[194.25, 194.25, 194.25, 255.0],
                              [99.375, 99.375, 99.375, 255.0]]],
                            [[[145.625, 34.875, 95.75, 106.375],
                              [102.625, 150.125, 129.75, 153.875]],
                             [[191.375, 126.0, 50.375, 43.375],
                              [118.375, 116.375, 58.125, 134.0]]]],
                      'y': [[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]}}

SEED9_FILES = ['cat/1.png', 'cat/0.png', 'dog/0.png']
