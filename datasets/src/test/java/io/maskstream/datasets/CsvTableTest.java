package io.maskstream.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CsvTableTest {

    @Test
    void aByteOrderMarkQuotesSpacesAndBlankLinesAreReadAsTheCompetitionFilesHaveThem() {
        CsvTable t = CsvTable.parse("\uFEFFid, gender ,race,age,path\r\n000001,female,Asian,45,\"000001_female_Asian_45\"\n\n"
                + "000002,\"male, maybe\",Asian,33,000002_male_Asian_33\n");
        assertThat(t.hasHeader("id,gender,race,age,path")).isTrue();
        assertThat(t.rows()).hasSize(3);
        assertThat(t.rows().get(0)).containsExactly("000001", "female", "Asian", "45", "000001_female_Asian_45");
        assertThat(t.rows().get(1)).as("a blank line keeps its place").isNull();
        assertThat(t.rows().get(2)[1]).isEqualTo("male, maybe");
    }

    @Test
    void anEmptyFileHasNoHeaderAndNoRows() {
        CsvTable t = CsvTable.parse("");
        assertThat(t.header()).isEmpty();
        assertThat(t.rows()).isEmpty();
        assertThat(CsvTable.parse("ImageID,ans\n").hasHeader("imageid,ANS")).isTrue();
    }
}
