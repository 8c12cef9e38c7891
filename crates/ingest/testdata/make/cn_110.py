"""Writes the made-up Chinese 110 samples in ../ (see ../SOURCES.md).

Two export layouts of the same twelve calls in 宁波 (Ningbo): one as a
接处警 system saves it from Excel on Chinese Windows (GBK, CRLF, GCJ-02,
category paths), one as another saves it (UTF-16 with a byte-order mark,
slashed dates, BD-09 from 百度地图, 案由 names). Run: python3 cn_110.py
"""
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))

CALLS = [
    # id, time, how, category path, 案由, address, GCJ-02 lon, lat, station, result
    ("J3302032611030001", "2026-11-03 08:15:27", "110电话", "刑事案件-盗窃-入室盗窃", "入室盗窃", "海曙区中山西路188号3幢", 121.541236, 29.871042, "鼓楼派出所", "已立案"),
    ("J3302032611030002", "2026-11-03 09:02:11", "110电话", "治安案件-殴打他人", "殴打他人", "海曙区药行街56号", 121.548915, 29.868177, "鼓楼派出所", "调解处理"),
    ("J3302032611030003", "2026-11-03 10:47:50", "网上报警", "刑事案件-诈骗-电信网络诈骗", "电信网络诈骗", "鄞州区天童南路588号", 121.553802, 29.818741, "首南派出所", "已立案"),
    ("J3302032611030004", "2026-11-03 12:30:05", "110电话", "交通警情-交通事故-财损事故", "交通事故", "江北区人民路与大庆南路交叉口", 121.556108, 29.884660, "白沙派出所", "移交交警"),
    ("J3302032611030005", "2026-11-03 14:12:40", "110电话", "纠纷-邻里纠纷", "邻里纠纷", "海曙区望春街道, 联丰社区12幢", 121.503307, 29.876391, "望春派出所", "调解成功"),
    ("J3302032611030006", "2026-11-03 15:55:18", "巡逻发现", "治安案件-可疑情况", "可疑情况", "海曙区和义路50号", 121.556413, 29.874215, "鼓楼派出所", "已处置"),
    ("J3302032611030007", "2026-11-03 18:20:33", "110电话", "群众求助-走失", "走失", "鄞州区四明中路999号", 121.547360, 29.829512, "首南派出所", "已找到"),
    ("J3302032611030008", "2026-11-03 21:44:09", "110电话", "噪音扰民", "噪音扰民", "江北区庄桥街道天合家园", 121.522806, 29.922137, "庄桥派出所", "已劝解"),
    ("J3302032611030009", "2026-11-03 23:05:52", "110电话", "盗窃电动车", "盗窃电动车", "鄞州区钱湖北路345号", 121.583924, 29.855410, "东柳派出所", "已立案"),
    ("J3302032611030010", "2026-11-04 01:18:26", "110电话", "交通警情-酒驾", "醉酒驾驶", "海曙区长春路与解放南路口", 121.545117, 29.862004, "南门派出所", "已查处"),
    ("J3302032611030011", "2026-13-04 02:40:00", "110电话", "其他", "其他", "海曙区开明街1号", 121.549100, 29.870850, "鼓楼派出所", "无效"),
    ("J3302032611030012", "2026-11-04 03:02:47", "短信报警", "纠纷-家庭纠纷", "家庭纠纷", "鄞州区福明路777号", 121.578831, 29.862277, "福明派出所", "调解成功"),
]


def gcj_to_bd(lon, lat):
    x_pi = math.pi * 3000.0 / 180.0
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * x_pi)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * x_pi)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def field(s):
    return '"' + s.replace('"', '""') + '"' if any(c in s for c in ',"\n') else s


def layout_a():
    rows = ["接警单号,报警时间,报警方式,警情类别,发生地址,经度,纬度,管辖单位,处警结果"]
    for c in CALLS:
        rows.append(",".join([c[0], c[1], c[2], c[3], field(c[5]), f"{c[6]:.6f}", f"{c[7]:.6f}", c[8], c[9]]))
    return "\r\n".join(rows) + "\r\n"


def layout_b():
    rows = ["警情编号,接警时间,到达现场时间,案由,事发地址,经度,纬度,所属派出所,警情来源"]
    for c in CALLS:
        lon, lat = gcj_to_bd(c[6], c[7])
        date, clock = c[1].split(" ")
        when = date.replace("-", "/") + " " + clock[:5]
        arrived = "" if c[2] == "巡逻发现" else date.replace("-", "/") + " " + clock[:3] + f"{(int(clock[3:5]) + 9) % 60:02d}"
        rows.append(",".join([c[0], when, arrived, c[4], field(c[5]), f"{lon:.6f}", f"{lat:.6f}", c[8], c[2]]))
    return "\n".join(rows) + "\n"


with open(os.path.join(HERE, "..", "cn_110_gbk.csv"), "wb") as f:
    f.write(layout_a().encode("gbk"))
with open(os.path.join(HERE, "..", "cn_110_bd09_utf16.csv"), "wb") as f:
    f.write(layout_b().encode("utf-16"))
