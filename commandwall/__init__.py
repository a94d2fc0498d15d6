"""commandwall — desktop client of the Xuecheng District integrated command platform (一体化综合指挥平台)."""

__version__ = "0.1.0"
