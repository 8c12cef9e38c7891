//! Place names for the demo city, with their pinyin.

/// (zh, pinyin) of the eight towns/subdistricts, urban ones first.
pub const TOWNS: [(&str, &str, bool); 8] = [
    ("鼓楼街道", "Gulou Subdistrict", true),
    ("江厦街道", "Jiangxia Subdistrict", true),
    ("南门街道", "Nanmen Subdistrict", true),
    ("白云街道", "Baiyun Subdistrict", true),
    ("望春街道", "Wangchun Subdistrict", false),
    ("石碶街道", "Shiqi Subdistrict", false),
    ("古林镇", "Gulin Town", false),
    ("集士港镇", "Jishigang Town", false),
];

/// Short station names (…派出所) for the towns, in the same order.
pub const STATIONS: [(&str, &str); 8] = [
    ("鼓楼", "Gulou"),
    ("江厦", "Jiangxia"),
    ("南门", "Nanmen"),
    ("白云", "Baiyun"),
    ("望春", "Wangchun"),
    ("石碶", "Shiqi"),
    ("古林", "Gulin"),
    ("集士港", "Jishigang"),
];

/// Two-character place words for communities (社区) and villages (村).
pub const PLACES: [(&str, &str); 76] = [
    ("柳汀", "Liuting"), ("孝闻", "Xiaowen"), ("尚书", "Shangshu"), ("镇明", "Zhenming"),
    ("天一", "Tianyi"), ("芝兰", "Zhilan"), ("翠柏", "Cuibai"), ("瑞云", "Ruiyun"),
    ("蓝天", "Lantian"), ("泰安", "Tai'an"), ("梅园", "Meiyuan"), ("甬水", "Yongshui"),
    ("海晏", "Haiyan"), ("文昌", "Wenchang"), ("彩虹", "Caihong"), ("黄鹂", "Huangli"),
    ("青林", "Qinglin"), ("横街", "Hengjie"), ("凤岙", "Feng'ao"), ("蜃蛟", "Shenjiao"),
    ("洞桥", "Dongqiao"), ("鄞江", "Yinjiang"), ("龙观", "Longguan"), ("章水", "Zhangshui"),
    ("栎社", "Lishe"), ("段塘", "Duantang"), ("秀水", "Xiushui"), ("布政", "Buzheng"),
    ("薛家", "Xuejia"), ("西洋", "Xiyang"), ("新庄", "Xinzhuang"), ("前虞", "Qianyu"),
    ("王家", "Wangjia"), ("李家", "Lijia"), ("张家", "Zhangjia"), ("陈家", "Chenjia"),
    ("俞家", "Yujia"), ("蒋家", "Jiangjia"), ("后河", "Houhe"), ("新桥", "Xinqiao"),
    ("兴宁", "Xingning"), ("丽园", "Liyuan"), ("双桥", "Shuangqiao"), ("永丰", "Yongfeng"),
    ("南塘", "Nantang"), ("望京", "Wangjing"), ("苍松", "Cangsong"), ("月湖", "Yuehu"),
    ("卖鱼", "Maiyu"), ("药行", "Yaohang"), ("和义", "Heyi"), ("开明", "Kaiming"),
    ("中山", "Zhongshan"), ("解放", "Jiefang"), ("灵桥", "Lingqiao"), ("三江", "Sanjiang"),
    ("环城", "Huancheng"), ("华侨", "Huaqiao"), ("丽水", "Lishui"), ("东渡", "Dongdu"),
    ("西成", "Xicheng"), ("北斗", "Beidou"), ("望湖", "Wanghu"), ("樱花", "Yinghua"),
    ("锦绣", "Jinxiu"), ("荷花", "Hehua"), ("石桥", "Shiqiao"), ("杨柳", "Yangliu"),
    ("桃源", "Taoyuan"), ("云龙", "Yunlong"), ("金峨", "Jin'e"), ("大桥", "Daqiao"),
    ("高桥", "Gaoqiao"), ("岐阳", "Qiyang"), ("春晖", "Chunhui"), ("安澜", "Anlan"),
];

pub const ROADS: [&str; 24] = [
    "中山西路", "解放南路", "开明街", "药行街", "县前街", "镇明路", "柳汀街", "长春路",
    "望春路", "机场路", "环城西路", "丽园北路", "新典路", "集士港路", "古林大道", "石碶大道",
    "鄞县大道", "广安路", "翠柏路", "段塘路", "南苑街", "兴宁路", "马园路", "西河街",
];

/// Names of the kinds of hot spot, zh and en.
pub const HOTSPOT_KINDS: [(&str, &str); 8] = [
    ("火车站", "railway station"),
    ("商圈", "shopping district"),
    ("酒吧街", "nightlife street"),
    ("农贸市场", "wet market"),
    ("老旧小区", "old residential compound"),
    ("工业园区", "industrial park"),
    ("交通要道", "arterial junction"),
    ("医院学校", "hospital and school"),
];
