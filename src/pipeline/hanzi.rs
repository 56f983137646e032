//! Chinese characters as evidence: which ones are common, and the
//! simplified form of the traditional characters that differ from it.
//!
//! Used by encoding detection (is this decoded text plausible Chinese?) and
//! by the column-role dictionary (a Big5 header `客戶編號` is `客户编号`).

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// About a thousand of the most frequent characters of written Chinese
/// (simplified), followed by the words of bank and retail files (customers,
/// accounts, balances, transactions, dates, branches, products).
const COMMON_HANZI: &str = "\
的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年过发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心她本前开但因只从想实日军者意无力它与长把机十民第公此已工使情明性知全三又关点正业外将两高间由问很最重并物手应战向头文体政美相见被利什二等产或新己制身果加西斯月话合回特代内信表化老给世位次度门任常先海通教儿原东声提立及比员解水名真论处走义各入几口认条平系气题活尔更别打女变四神总何电数安少报才结反受目太量再感建务做接必场件计管期市直德资命山金指克许统区保至队形社便空决治展马科司五基眼书非则听白却界达光放强即像难且权思王象完设式色路记南品住告类求据程北边死张该交规万取拉格望觉术领共确传师观清今切院让识候带导争运笑飞风步改收根干造言联持组每济车亲极林服快办议往元英士证近失转夫令准布始怎呢存未远叫台单影具罗字爱击流备兵连调深商算质团集百需价花党华城石级整府离况亚请技际约示复病息究线似官火断精满支视消越器容照须九增研写称企八功吗包片史委乎查轻易早曾除农找装广显吧阿李标谈吃图念六引历首医局突专费号尽另周较注语仅考落青随选列武红响虽推势参希古众构房半节土投某案黑维革划敌致陈律足态护七兴派孩验责营星够章音跟志底站严巴例防族供效续施留讲型料终答紧黄绝奇察母京段依批群项故按河米围江织害斗双境客纪采举杀攻父苏密低朝友诉止细愿千值仍男钱破网热助倒育属坐帝限船脸职速刻乐否刚威毛状率甚独球般普怕弹校苦创假久错承印晚兰试股拿脑预谁益阳若哪微尼继送急血惊伤素药适波夜省初喜卫源食险待述陆习置居劳财环排福纳欢雷警获模充负云停木游龙树疑层冷洲冲射略范竟句室异激汉村哈策演简卡罪判担州静退既衣您宗积余痛检差富灵协角占配征修皮挥胜降阶审沉坚善妈刘读啊超免压银买皇养伊怀执副乱抗犯追帮宣佛岁航优怪香著田铁控税左右份穿艺背阵草脚概恶块顿敢守酒岛托央户烈洋哥索胡款靠评版宝座释景顾弟登货互付伯慢欧换闻危忙核暗姐介坏讨丽良序升监临亮露永呼味野架域沙掉括舰鱼杂误湾吉减编楚肯测败屋跑梦散温困剑渐封救贵枪缺楼县尚毫移娘朋画班智亦耳恩短掌恐遗固席松秘谢鲁遇康虑幸均销钟诗藏赶剧票损忽巨炮旧端探湖录叶春乡附吸予礼港雨呀板庭妇归睛饭额含顺输摇招婚脱补谓督毒油疗旅泽材灭逐莫笔亡鲜词圣择寻厂睡博勒烟授诺伦岸奥唐卖俄炸载洛健堂旁宫喝借君禁阴园谋宋避抓荣姑孙逃牙束跳顶玉镇雪午练迫爷篇肉嘴馆遍凡础洞卷坦牛宁纸诸训私庄祖丝翻暴森塔默握戏隐熟骨访弱蒙歌店鬼软典欲萨伙遭盘爸扩盖弄雄稳忘亿刺拥徒姆杨齐赛趋曲刀床迎冰虚玩析窗醒妻透购替塞努休虎扬途侵刑绿兄迅套贸毕唯谷轮库迹尤竞街促延震弃甲伟麻川申缓潜闪售灯针哲络抵朱埃抱鼓植纯夏忍页杰筑折郑贝尊吴秀混臣雅振染盛怒舞圆搞狂措姓残秋培迷诚宽宇猛摆梅毁伸摩盟末乃悲拍丁赵硬麦蒋操耶阻订彩抽赞魔纷沿喊违妹浪汇币丰蓝殊献桌啦瓦莱援译夺汽烧距裁偏符勇触课敬哭懂墙袭召罚侠厅拜巧侧韩冒债曼融惯享戴童犹乘挂奖绍厚纵障讯涉彻刊丈爆乌役描洗玛患妙镜唱烦签仙彼弗症仿倾牌陷鸟轰咱菜闭奋庆撤泪茶疾缘播朗杜奶季丹狗尾仪偷奔珠虫驻孔宜艾桥淡翼恨繁寒伴叹旦愈潮粮缩罢聚径恰挑袋灰捕徐珍幕映裂泰隔启尖忠累炎暂估泛荒偿横拒瑞忆孤鼻闹羊呆厉衡胞零穷舍码赫婆魂灾洪腿胆津俗辩胸晓劲贫仁偶辑邦恢赖圈摸仰润堆碰艇稍迟辆废净凶署壁御奉旋冬矿抬蛋晨伏吹鸡倍糊秦盾杯租骑乏隆诊奴摄丧污渡旗甘耐凭扎抢绪粗肩梁幻菲皆碎宙叔岩荡综爬荷悉蒂返井壮薄悄扫敏碍殖详迪矛霍允幅撒剩凯颗骂赏液番箱贴漫酸郎腰舒眉忧浮辛恋餐吓挺励辞艘键伍峰尺昨黎辈贯侦滑券崇扰宪绕趣蓄锁搬坛纽荐吨邀胶扑瞧狼颇哦蔡箭辉碗淮羽翰贡宏倡饰隶跃阔嘉携剂盐\
客户号码编账卡余额资储蓄存款贷借记信用消费交易笔次数频率金额累计总平均最近首末期日月年时间开销网点支行分城市区县省地址邮编电话手机性别男女龄岁出生婚姻职业收入学历等级类型状态标志是否有效产品持理财基保险证券外币汇率利息本金还逾到贷记借款余值净流入出转账取现缴单据批流水序号名称代码备注渠道柜台渠道登录活跃沉睡流失忠诚高中低价值潜力稳定新老";

/// Traditional characters and their simplified forms, pairwise: the common
/// characters whose two forms differ, and those of bank vocabulary.
const TRADITIONAL: &str = "們會個來國為說時對發過還這後從於麼經學進種將與動現樣開長機關點實問頭體間當應區戰見業電無東義軍話門聲員報總條處認題幾記變議氣線聯書車務兒歷師讓難隊導風親極術領產資數號齡別額餘戶帳賬碼編標識顧費計頻筆網銀構營儲貸幣買賣單據價錢項證紀歲屬級積結詢錄統類場貨櫃臺灣內帶覽選擇試驗設備轉匯負債財險壽運輸態歸團圍圖園鄉縣鎮華陽陰龍廣漢蘇紅綠藍黃熱麗優質贈獎勵職稱語讀寫聽請謝論調談許誤護貴賓顯響頁順須預飛馬魚鳥齊黨畫異盡監盤眾稅穩窮節範簡約紙終組細綜維緊練縮績繳續罰習肅腦興舊莊萬葉蘭衛補裝複規視覺觀訂訊託評詞詳誌課諮諾豐貝販責貼貿賞賠賴購贊趕趨躍軟較載輕輛輪辦農連週遊達違遠適遲遷遺邊郵醫釋針鈔銷鋪錯鍵鏈閉閒閱階際隨隱雙雜雞離靈韓顏願飯飲館髮鬥魯鮮龜倉傳償兩冊凍則剛劃劇勞勢勝協卻參叢啟嚴圓執堅塊塵壓壞夠夢奪奮婦媽孫審寶專尋層屆島幫廠廳彈徑復徵憶懷戲擔擁擊擴攝敗敵斷樂樓橫權歡殺決況淨淺減測湯滿潔濟爭爾牆狀獨獲環畢療盜確禮離稱競築簽籃糧純紹給絲絕綁緒緣織繼罷聞膚臨舉艦艱藝藥蟲衝裡製襲訓訪訴診該誠誰諸謀講譯讚豬貓貧貫賀賽贏趙跡蹤輔辭鄧鄭醬鉤銅銳鐘鐵鑰閃陣陳陸隻雖雲靜韋頂頓頗顆颱飽養駐騎驚髒鬆鹽麥齒龐齡歲額餘戶號碼齢別";
const SIMPLIFIED: &str = "们会个来国为说时对发过还这后从于么经学进种将与动现样开长机关点实问头体间当应区战见业电无东义军话门声员报总条处认题几记变议气线联书车务儿历师让难队导风亲极术领产资数号龄别额余户账账码编标识顾费计频笔网银构营储贷币买卖单据价钱项证纪岁属级积结询录统类场货柜台湾内带览选择试验设备转汇负债财险寿运输态归团围图园乡县镇华阳阴龙广汉苏红绿蓝黄热丽优质赠奖励职称语读写听请谢论调谈许误护贵宾显响页顺须预飞马鱼鸟齐党画异尽监盘众税稳穷节范简约纸终组细综维紧练缩绩缴续罚习肃脑兴旧庄万叶兰卫补装复规视觉观订讯托评词详志课咨诺丰贝贩责贴贸赏赔赖购赞赶趋跃软较载轻辆轮办农连周游达违远适迟迁遗边邮医释针钞销铺错键链闭闲阅阶际随隐双杂鸡离灵韩颜愿饭饮馆发斗鲁鲜龟仓传偿两册冻则刚划剧劳势胜协却参丛启严圆执坚块尘压坏够梦夺奋妇妈孙审宝专寻层届岛帮厂厅弹径复征忆怀戏担拥击扩摄败敌断乐楼横权欢杀决况净浅减测汤满洁济争尔墙状独获环毕疗盗确礼离称竞筑签篮粮纯绍给丝绝绑绪缘织继罢闻肤临举舰艰艺药虫冲里制袭训访诉诊该诚谁诸谋讲译赞猪猫贫贯贺赛赢赵迹踪辅辞邓郑酱钩铜锐钟铁钥闪阵陈陆只虽云静韦顶顿颇颗台饱养驻骑惊脏松盐麦齿庞龄岁额余户号码龄别";

fn fold_map() -> &'static HashMap<char, char> {
    static MAP: OnceLock<HashMap<char, char>> = OnceLock::new();
    MAP.get_or_init(|| TRADITIONAL.chars().zip(SIMPLIFIED.chars()).collect())
}

/// The simplified form of a traditional character; any other character as it is.
pub fn fold_traditional(c: char) -> char {
    if c < '\u{4e00}' {
        return c;
    }
    fold_map().get(&c).copied().unwrap_or(c)
}

/// Whether `c` (simplified, or traditional folded to simplified) is among
/// the common characters of written Chinese.
pub fn is_common_hanzi(c: char) -> bool {
    static SET: OnceLock<HashSet<char>> = OnceLock::new();
    SET.get_or_init(|| COMMON_HANZI.chars().collect())
        .contains(&fold_traditional(c))
}

/// A CJK unified ideograph of the basic block.
pub fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tables_pair_up() {
        assert_eq!(TRADITIONAL.chars().count(), SIMPLIFIED.chars().count());
        // A traditional character never folds to itself or to another
        // traditional one.
        for (t, s) in TRADITIONAL.chars().zip(SIMPLIFIED.chars()) {
            assert_ne!(t, s);
            assert_eq!(fold_traditional(t), s, "{t}");
        }
    }

    #[test]
    fn bank_words_are_common_in_both_scripts() {
        for c in "客户编号年龄性别资产余额交易日期开户网点男女".chars() {
            assert!(is_common_hanzi(c), "{c}");
        }
        for c in "客戶編號年齡性別資產餘額交易日期開戶網點".chars() {
            assert!(is_common_hanzi(c), "{c}");
        }
        assert!(!is_common_hanzi('黡'));
    }
}
